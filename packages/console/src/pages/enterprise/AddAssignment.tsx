/**
 * Entra's "Users and groups › Add user/group" for a service principal as a resource: pick who holds
 * the role (in credless a service principal — the directory has no users, and Graph's appRoleAssignedTo
 * takes any principal) and one of the application's roles, then Assign. The API's refusal is shown at
 * the field it names (principalId, appRoleId) and nothing is assigned.
 * @module
 */
import { Button, Combobox, Field, Option, Select, Text } from '@fluentui/react-components';
import { AddRegular } from '@fluentui/react-icons';
import { useState } from 'react';
import { api } from '../../api/client.ts';
import type { AppRole, ServicePrincipal } from '../../api/types.ts';
import { FormDialog } from '../../components/form-dialog.tsx';
import { fieldMessage } from '../../components/states.tsx';

/** The roles a service principal can hold: enabled, and open to applications (the store's own rule). */
export const assignableRoles = (roles: readonly AppRole[]): AppRole[] =>
  roles.filter((role) => role.isEnabled && role.allowedMemberTypes.includes('Application'));

export function AddAssignment({
  resource,
  principals,
  onAssigned,
}: {
  resource: ServicePrincipal;
  /** Candidates for the picker; an object id pasted into it is sent as typed. */
  principals: readonly ServicePrincipal[];
  onAssigned: () => void;
}) {
  const roles = assignableRoles(resource.appRoles);
  const [text, setText] = useState('');
  const [principalId, setPrincipalId] = useState<string>();
  const [roleId, setRoleId] = useState('');
  const needle = text.trim().toLowerCase();
  // Once one is picked the box shows its name: list them all again rather than only that one.
  const shown = principalId
    ? principals
    : principals.filter(
        (sp) => !needle || sp.displayName.toLowerCase().includes(needle) || sp.id.startsWith(needle),
      );
  const assign = async () => {
    await api(`/v1.0/servicePrincipals/${resource.id}/appRoleAssignedTo`, {
      method: 'POST',
      body: { principalId: principalId ?? text.trim(), resourceId: resource.id, appRoleId: roleId },
    });
    onAssigned();
  };
  return (
    <FormDialog
      title={`Add assignment to ${resource.displayName}`}
      submitLabel="Assign"
      canSubmit={roles.length > 0 && (principalId !== undefined || needle !== '') && roleId !== ''}
      fields={['principalId', 'appRoleId', 'resourceId']}
      onOpen={() => {
        setText('');
        setPrincipalId(undefined);
        setRoleId(roles[0]?.id ?? '');
      }}
      onSubmit={assign}
      trigger={<Button icon={<AddRegular />}>Add assignment</Button>}
    >
      {(error) => (
        <>
          <Field
            label="Service principal"
            required
            hint="Search by name, or paste an object ID."
            validationMessage={fieldMessage(error, 'principalId')}
          >
            <Combobox
              freeform
              placeholder="Select a service principal"
              value={text}
              selectedOptions={principalId ? [principalId] : []}
              onChange={(event) => {
                setText(event.target.value);
                setPrincipalId(undefined);
              }}
              onOptionSelect={(_event, data) => {
                setPrincipalId(data.optionValue);
                setText(data.optionText ?? '');
              }}
            >
              {shown.map((sp) => (
                <Option key={sp.id} value={sp.id} text={sp.displayName}>
                  {sp.displayName}
                </Option>
              ))}
            </Combobox>
          </Field>
          {roles.length === 0 ? (
            <Text>
              {resource.displayName} defines no enabled app role that applications can hold: create one under
              App registrations › App roles.
            </Text>
          ) : (
            <Field label="Role" required validationMessage={fieldMessage(error, 'appRoleId')}>
              <Select value={roleId} onChange={(_event, data) => setRoleId(data.value)}>
                {roles.map((role) => (
                  <option key={role.id} value={role.id}>
                    {role.displayName} ({role.value})
                  </option>
                ))}
              </Select>
            </Field>
          )}
        </>
      )}
    </FormDialog>
  );
}
