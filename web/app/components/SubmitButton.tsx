import { useNavigation } from '@remix-run/react';

/**
 * A form's submit button that shows a spinner (and ignores further clicks) while its own intent, for its
 * own account when given, is being submitted.
 */
export function SubmitButton({
  label,
  hiddenLabel,
  intent,
  accountId,
  danger = false,
  primary = false,
}: {
  label: string;
  hiddenLabel?: string;
  intent: string;
  accountId?: string;
  danger?: boolean;
  primary?: boolean;
}) {
  const navigation = useNavigation();
  const pending =
    navigation.state === 'submitting' &&
    navigation.formData?.get('intent') === intent &&
    (accountId === undefined || navigation.formData?.get('account_id') === accountId);
  return (
    <button
      type="submit"
      className={`button ${danger ? 'button--danger' : primary ? 'button--primary' : ''}`}
      aria-busy={pending || undefined}
      onClick={(event) => pending && event.preventDefault()}
    >
      {pending && <span className="spinner" aria-hidden="true" />}
      {label}
      {hiddenLabel && <span className="visually-hidden">{hiddenLabel}</span>}
    </button>
  );
}
