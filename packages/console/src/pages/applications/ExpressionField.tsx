/**
 * The claims-matching expression editor: checked by the server's own parser as the operator types,
 * with the parser's reason and a caret under the column it names. After a save, the API's error (when
 * it names this field) takes the parser's place.
 * @module
 */
import { Field, makeStyles, Textarea, tokens } from '@fluentui/react-components';
import { caretLines, expressionProblem } from './expression-check.ts';

const useStyles = makeStyles({
  caret: {
    fontFamily: tokens.fontFamilyMonospace,
    margin: `${tokens.spacingVerticalXS} 0 0`,
    whiteSpace: 'pre',
    overflowX: 'auto',
  },
});

export function ExpressionField({
  value,
  onChange,
  apiError,
}: {
  value: string;
  onChange: (value: string) => void;
  /** The API's message about this field from the last save, if any. */
  apiError: string | undefined;
}) {
  const styles = useStyles();
  // An empty field is only incomplete (Save stays disabled); it is not an error until typed into.
  const problem = value.trim() === '' ? undefined : expressionProblem(value);
  const shown = problem ? caretLines(value, problem.position) : undefined;
  return (
    <Field
      label="Claims matching expression"
      required
      hint="e.g. claims['sub'] matches 'repo:contoso/*:environment:prod'"
      validationMessage={
        problem && shown ? (
          <span>
            {problem.message}
            <pre className={styles.caret} aria-hidden="true">
              {`${shown.line}\n${shown.caret}`}
            </pre>
          </span>
        ) : (
          apiError
        )
      }
    >
      <Textarea
        value={value}
        onChange={(_event, data) => onChange(data.value)}
        resize="vertical"
        spellCheck={false}
      />
    </Field>
  );
}
