/**
 * A dialog around a form: a trigger button, the fields, Save/Cancel, and the API's error shown next
 * to the field it names (or above the buttons). The dialog closes only when the save succeeded.
 * @module
 */
import {
  Button,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  DialogTrigger,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { type FormEvent, type ReactElement, type ReactNode, useState } from 'react';
import { FormError } from './states.tsx';

const useStyles = makeStyles({
  content: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM },
});

export function FormDialog({
  trigger,
  title,
  submitLabel = 'Save',
  canSubmit = true,
  fields,
  onSubmit,
  onOpen,
  children,
  open: controlledOpen,
  onOpenChange,
}: {
  trigger?: ReactElement;
  title: string;
  submitLabel?: string;
  /** False while the form is known to be invalid (checked as the user types): the submit button is disabled. */
  canSubmit?: boolean;
  /** The fields the form shows, so an error about one of them is not repeated above the buttons. */
  fields: readonly string[];
  onSubmit: () => Promise<void>;
  onOpen?: () => void;
  /** Render prop: the error of the last attempt (for the fields' validation messages). */
  children: (error: Error | undefined) => ReactNode;
  open?: boolean;
  onOpenChange?: (open: boolean) => void;
}) {
  const styles = useStyles();
  const [ownOpen, setOwnOpen] = useState(false);
  const open = controlledOpen ?? ownOpen;
  const setOpen = (next: boolean) => {
    setOwnOpen(next);
    onOpenChange?.(next);
  };
  const [error, setError] = useState<Error>();
  const [busy, setBusy] = useState(false);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!canSubmit) return;
    setBusy(true);
    try {
      await onSubmit();
      setError(undefined);
      setOpen(false);
    } catch (caught) {
      setError(caught instanceof Error ? caught : new Error(String(caught)));
    } finally {
      setBusy(false);
    }
  };
  const surface = (
    <DialogSurface>
      <form onSubmit={submit}>
        <DialogBody>
          <DialogTitle>{title}</DialogTitle>
          <DialogContent className={styles.content}>
            {children(error)}
            <FormError error={error} fields={fields} />
          </DialogContent>
          <DialogActions>
            <DialogTrigger disableButtonEnhancement>
              <Button appearance="secondary">Cancel</Button>
            </DialogTrigger>
            <Button type="submit" appearance="primary" disabled={busy || !canSubmit}>
              {busy ? 'Saving…' : submitLabel}
            </Button>
          </DialogActions>
        </DialogBody>
      </form>
    </DialogSurface>
  );
  return (
    <Dialog
      open={open}
      onOpenChange={(_event, data) => {
        if (data.open) {
          setError(undefined);
          onOpen?.();
        }
        setOpen(data.open);
      }}
    >
      {trigger
        ? [
            <DialogTrigger key="trigger" disableButtonEnhancement>
              {trigger}
            </DialogTrigger>,
            surface,
          ]
        : surface}
    </Dialog>
  );
}
