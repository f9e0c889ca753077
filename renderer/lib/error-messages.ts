import type { ApiError } from '../../shared/api/client';
import type { ErrorCode } from '../../shared/api/errors';

/** What the operator reads when an action fails: what happened, and what to do next. */
export type ErrorMessage = { title: string; action: string };

/**
 * The user-facing text for every error code; a missing code fails the type check.
 *
 * Written for a technician under time pressure: one plain sentence, then one next step.
 */
export const ERROR_MESSAGES: Readonly<Record<ErrorCode, ErrorMessage>> = {
  VALIDATION_FAILED: {
    title: 'Some of the entered values were not accepted.',
    action: 'Correct the fields listed below and try again.',
  },
  UNKNOWN_OPERATION: {
    title: 'This version of the screen asked for something the core does not know.',
    action:
      'Reload the window. If it happens again, the app and its core are out of step: reinstall PatchDeck.',
  },
  NOT_AUTHENTICATED: {
    title: 'You are not logged in, or your session has ended.',
    action: 'Log in again to continue.',
  },
  SESSION_LOCKED: {
    title: 'Your session was locked after a period without activity.',
    action: 'Enter your password to unlock, or switch operator.',
  },
  PERMISSION_DENIED: {
    title: 'Your roles do not allow this action. The attempt has been recorded in the audit log.',
    action: 'Ask an administrator to do it, or to give you the role it needs.',
  },
  INVALID_CREDENTIALS: {
    title: 'The username or password is not correct.',
    action: 'Check Caps Lock and the keyboard layout, then try again.',
  },
  LOGIN_THROTTLED: {
    title: 'Too many failed attempts: logins for this account are paused for a short while.',
    action:
      'Wait a minute before trying again. If you have forgotten the password, ask an administrator to reset it.',
  },
  OPERATOR_DISABLED: {
    title: 'This operator account is disabled.',
    action: 'Ask an administrator to enable it again.',
  },
  SETUP_REQUIRED: {
    title: 'This workspace has no administrator yet.',
    action: 'Create the first administrator on the setup screen.',
  },
  SETUP_ALREADY_DONE: {
    title: 'This workspace already has an administrator.',
    action:
      'Log in with an existing account. Reload the window if the setup screen is still shown.',
  },
  PASSWORD_TOO_WEAK: {
    title: 'That password is too easy to guess.',
    action:
      'Use at least 12 characters; a few unrelated words make a strong password that is easy to type.',
  },
  USERNAME_TAKEN: {
    title: 'Another operator already uses that username.',
    action: 'Choose a different username. Usernames are not case-sensitive.',
  },
  OPERATOR_NOT_FOUND: {
    title: 'That operator no longer exists in this workspace.',
    action: 'Refresh the list of operators.',
  },
  LAST_ADMINISTRATOR: {
    title: 'This would leave the workspace without an active administrator.',
    action: 'Give another operator the administrator role first.',
  },
  AUDIT_RECORD_NOT_FOUND: {
    title: 'That audit record does not exist.',
    action: 'Refresh the audit list; if records are missing, run "Verify chain".',
  },
  DB_NEWER_THAN_APP: {
    title: 'The workspace was written by a newer version of PatchDeck.',
    action: 'Open it with that version or a later one. Nothing was changed.',
  },
  MIGRATION_CHECKSUM_MISMATCH: {
    title: 'The workspace does not match the upgrade steps this version expects.',
    action:
      'Do not continue. Keep the workspace file and its .bak copy, and contact your PatchDeck support.',
  },
  WORKSPACE_CORRUPT: {
    title: 'The workspace file is damaged and could not be opened.',
    action:
      'Close PatchDeck and run `patchdeck workspace check` to see which backups are good, then `patchdeck workspace restore --yes`: it keeps the damaged file and replays every saved change on top of the backup.',
  },
  WORKSPACE_IN_USE: {
    title: 'Another PatchDeck is already using this workspace.',
    action: 'Close the other PatchDeck window or process, then try again.',
  },
  STORAGE_WRITE_FAILED: {
    title: 'PatchDeck could not save to disk, so the last change was not kept.',
    action:
      'Check free disk space and that the workspace drive is still attached, then repeat the action.',
  },
  TRANSPORT_FAILED: {
    title: "PatchDeck's core did not answer.",
    action: 'Restart PatchDeck. In browser mode, open the address printed when the server started.',
  },
  HOST_KEY_UNKNOWN: {
    title: 'This host presented an SSH host key that is not pinned yet. Nothing was sent to it.',
    action:
      'Compare the fingerprint shown with the one from the host build or its console, then accept it or import a known_hosts file.',
  },
  HOST_KEY_CHANGED: {
    title:
      'This host presented a different SSH host key from the pinned one. No credentials were sent.',
    action:
      'Treat it as a possible interception. Only an administrator can re-pin the key, after confirming the change with the host owner.',
  },
  HOST_KEY_REVOKED: {
    title:
      'This host presented an SSH host key that is marked as revoked. No credentials were sent.',
    action: 'Have the host owner replace its host key, then pin the new key.',
  },
  HOST_UNREACHABLE: {
    title: 'The host could not be reached over the network.',
    action: 'Check that it is powered on and on the network, and the address and port, then retry.',
  },
  HOST_CONNECTION_REFUSED: {
    title: 'The host refused the SSH connection.',
    action:
      'Check that the SSH service is running on the host and listening on the configured port.',
  },
  HOST_AUTH_REFUSED: {
    title: 'The host did not accept the SSH credentials.',
    action:
      "Check the user name and key or password stored for this host, and the host's authorized keys.",
  },
  SUDO_PASSWORD_REQUIRED: {
    title: 'sudo on this host asks for a password, and none is configured.',
    action:
      'Store the sudo password for this host, or add a NOPASSWD sudoers rule for the service account.',
  },
  SUDO_REFUSED: {
    title: 'sudo on this host refused to run the command.',
    action: "Check the service account's sudoers rules and the stored sudo password for this host.",
  },
  REMOTE_TIMEOUT: {
    title: 'A step on the host did not finish in time and was stopped.',
    action: 'Re-inspect the host to find its current state before retrying.',
  },
  REMOTE_COMMAND_FAILED: {
    title: 'A command on the host failed.',
    action: 'Read the exit code and error output shown, fix the cause on the host, then retry.',
  },
  UNSAFE_REMOTE_ARGUMENT: {
    title: 'A value was refused because it is not safe to pass to a host.',
    action: 'Correct the named field (package, version, host name or path) and try again.',
  },
  SSH_CONFIG_UNSUPPORTED: {
    title: 'The ssh_config file uses something PatchDeck does not support.',
    action:
      'Replace the named directive (for example ProxyCommand with ProxyJump), then import again.',
  },
  KNOWN_HOSTS_MALFORMED: {
    title: 'The known_hosts file has lines that could not be read.',
    action: 'Fix or remove the listed lines, then import the file again.',
  },
  HOST_NOT_FOUND: {
    title: 'That host is not in the inventory (any more).',
    action: 'Reload the host list; another operator or an import may have removed it.',
  },
  HOST_ADDRESS_TAKEN: {
    title: 'Another host in the inventory already has this address and port.',
    action: 'Open that host instead, or correct the address or port.',
  },
  HOST_IS_JUMP_HOST: {
    title: 'Other hosts are reached through this host, so it cannot be removed on its own.',
    action: 'Give those hosts another jump host (or none), or remove them together with it.',
  },
  CREDENTIAL_NOT_FOUND: {
    title: 'That credential does not exist (any more).',
    action: 'Reload the credentials and choose another one.',
  },
  CREDENTIAL_IN_USE: {
    title: 'Hosts still log in with this credential, so it cannot be deleted.',
    action: 'Give those hosts another credential first, then delete it.',
  },
  CREDENTIAL_NAME_TAKEN: {
    title: 'Another credential already has this name.',
    action: 'Choose a different name.',
  },
  CREDENTIAL_KEY_UNREADABLE: {
    title: 'The private key file could not be read as an SSH private key.',
    action:
      'Check the path and that the file is an OpenSSH or PEM private key readable by PatchDeck.',
  },
  VAULT_LOCKED: {
    title: 'The credentials vault is locked, so stored passwords and passphrases cannot be used.',
    action: 'Unlock the vault with its passphrase, then try again.',
  },
  VAULT_NOT_INITIALIZED: {
    title: 'No credentials vault has been set up yet, so secrets cannot be stored.',
    action: 'Set up the vault with a passphrase first (Credentials, Set up vault).',
  },
  VAULT_ALREADY_INITIALIZED: {
    title: 'The credentials vault is already set up.',
    action: 'Unlock it with its passphrase instead.',
  },
  VAULT_PASSPHRASE_WRONG: {
    title: 'That is not the vault passphrase.',
    action: 'Check Caps Lock and the keyboard layout, then try again.',
  },
  HOST_KEY_NOT_PENDING: {
    title: 'This host has no new host key waiting for a decision.',
    action: 'Probe or scan the host to read the key it presents now, then decide.',
  },
  HOST_KEY_FINGERPRINT_MISMATCH: {
    title: 'The fingerprint you confirmed is not the one the host presented. Nothing was pinned.',
    action:
      'Probe the host again and compare the fingerprint with the host owner before trusting it.',
  },
  KNOWN_HOSTS_UNREADABLE: {
    title: 'The known_hosts file could not be read.',
    action: 'Check the path and that the file is a text file readable by PatchDeck.',
  },
  SCAN_NOT_FOUND: {
    title: 'That scan is not known (any more).',
    action: 'Reload the scan list.',
  },
  IMPORT_FILE_UNREADABLE: {
    title: 'The file to import could not be opened.',
    action: 'Check the path, that it is a file (not a folder) and that PatchDeck may read it.',
  },
  IMPORT_UNSUPPORTED_FORMAT: {
    title: 'The file is not in the format chosen, or in a format PatchDeck does not read.',
    action:
      'Save it as CSV, XLSX, XLS or ODS (or Nmap XML from nmap -oX), without a password, and import it again.',
  },
  IMPORT_TOO_LARGE: {
    title:
      'The file is over an import limit (size, rows, columns or cell length) and was not read.',
    action:
      'Split it into smaller files or remove unused sheets and columns, then import each part.',
  },
  IMPORT_MALFORMED: {
    title: 'Part of the file could not be read; nothing was imported.',
    action: 'Fix the row or line and column named, save the file, and import it again.',
  },
  IMPORT_MAPPING_INVALID: {
    title: 'The column mapping cannot be used.',
    action: 'Map a column to the address field (and only to columns the file has), then try again.',
  },
  IMPORT_NOT_FOUND: {
    title: 'This import is no longer open: it expired or was already applied.',
    action: 'Choose the file again to start a new import.',
  },
  IMPORT_CONFLICT: {
    title: 'Applying the import would give two hosts the same address; nothing was imported.',
    action:
      'Keep the inventory value for the named row, or fix the address in the file, then reconcile again.',
  },
  BUNDLE_SOURCE_NOT_FOUND: {
    title: 'The bundle folder or file could not be found on the media.',
    action: 'Check that the media is still connected and pick the bundle folder or .tar again.',
  },
  BUNDLE_MALFORMED: {
    title: 'The bundle metadata is not in the PatchDeck bundle format. Nothing was imported.',
    action: 'Ask the publisher for a new bundle built with "patchdeck bundle create".',
  },
  BUNDLE_ARCHIVE_CORRUPT: {
    title: 'The bundle archive is damaged or cut short. Nothing was imported.',
    action: 'Copy the .tar to the media again and check its size, then retry the import.',
  },
  BUNDLE_METADATA_TOO_LARGE: {
    title:
      'A bundle metadata file is larger than PatchDeck accepts, so it was not read. Nothing was imported.',
    action: 'Treat this media as suspect and ask the publisher for a new bundle.',
  },
  BUNDLE_LIMITS_EXCEEDED: {
    title: 'The bundle has more files or bytes than its signed limits allow. Nothing was imported.',
    action: 'Treat this media as suspect and ask the publisher for a new bundle.',
  },
  BUNDLE_FILE_TOO_LARGE: {
    title:
      'A file in the bundle is longer than its signed length, so reading stopped. Nothing was imported.',
    action:
      'Treat this media as suspect: the file was changed after signing. Ask the publisher for a new bundle.',
  },
  BUNDLE_PUBLISHER_NOT_TRUSTED: {
    title:
      'The bundle comes from a publisher this workspace does not trust yet. Nothing was imported.',
    action:
      "Ask an administrator to add the publisher's root under Trust, checking its key fingerprint with the publisher.",
  },
  BUNDLE_SIGNATURE_INVALID: {
    title:
      'A signature on the bundle does not match its contents: it was altered after signing. Nothing was imported.',
    action: 'Do not use this media. Ask the publisher for a new bundle.',
  },
  BUNDLE_SIGNATURE_DUPLICATE: {
    title:
      "The bundle lists the same key's signature more than once; each key counts once, so too few keys signed it. Nothing was imported.",
    action: 'Ask the publisher to sign the bundle with enough different keys.',
  },
  BUNDLE_THRESHOLD_NOT_MET: {
    title: "Too few of the publisher's keys signed this bundle. Nothing was imported.",
    action: 'Ask the publisher to sign the bundle with the number of keys its root requires.',
  },
  BUNDLE_UNTRUSTED_KEY: {
    title:
      'The bundle is signed only by keys this workspace does not trust for bundles. Nothing was imported.',
    action:
      "Check the publisher's current root with them; if their keys changed, import a bundle carrying the rotated root.",
  },
  BUNDLE_ROOT_ROTATION_INVALID: {
    title:
      'The publisher root carried by the bundle is not a valid successor of the trusted one. Nothing was imported and the trusted root is unchanged.',
    action:
      'Ask the publisher for a bundle carrying every root version in order, each signed by the old and new keys.',
  },
  BUNDLE_HASH_MISMATCH: {
    title: 'A file in the bundle does not match its signed hash. Nothing was imported.',
    action:
      "Treat this media as suspect; copy the bundle again from the publisher's original and retry.",
  },
  BUNDLE_FILE_EXTRA: {
    title: 'The media holds files the signed manifest does not list. Nothing was imported.',
    action:
      "Remove the listed files from the bundle folder, or copy the bundle again from the publisher's original.",
  },
  BUNDLE_FILE_MISSING: {
    title: 'Files listed in the signed manifest are missing from the media. Nothing was imported.',
    action: 'Copy the whole bundle again, including the listed files, and retry.',
  },
  BUNDLE_UNSAFE_PATH: {
    title:
      'The bundle names a file with an unsafe path (outside the bundle, absolute, or reserved). Nothing was imported.',
    action: 'Do not use this media. Ask the publisher for a new bundle.',
  },
  BUNDLE_UNSAFE_ENTRY: {
    title:
      'The bundle contains a link, device or other special entry. Only plain files are allowed. Nothing was imported.',
    action: 'Do not use this media. Ask the publisher for a new bundle.',
  },
  BUNDLE_EXPIRED: {
    title: 'The bundle has passed its expiry date. Nothing was imported.',
    action:
      'Get a fresh bundle from the publisher. An administrator may import it anyway; that is recorded in the audit log.',
  },
  BUNDLE_ROLLBACK: {
    title:
      'The bundle is older than one already imported on the same channel. Nothing was imported.',
    action: 'Use the newest bundle from the publisher. An old bundle on the media may be a replay.',
  },
  BUNDLE_TIME_RATCHET: {
    title:
      'The bundle was signed earlier than a bundle already imported on this channel. Nothing was imported.',
    action:
      'Use the newest bundle from the publisher; this may be a replay or a publisher clock problem.',
  },
  BUNDLE_ID_CONFLICT: {
    title: 'A different bundle with the same id was already imported. Nothing was imported.',
    action: 'Ask the publisher: a bundle id must name exactly one bundle.',
  },
  BUNDLE_PACKAGE_MISMATCH: {
    title:
      'A package file says it is a different package, version or architecture than its metadata. Nothing was built or imported.',
    action: 'Check the package files and the advisory metadata, then try again.',
  },
  BUNDLE_PACKAGE_CONTROL_MISMATCH: {
    title:
      "A signed .deb in the bundle says it is a different package, version or architecture than the bundle's manifest. Nothing was imported.",
    action:
      'Do not use this bundle: ask the publisher to rebuild it with `patchdeck bundle create`, which checks every package.',
  },
  BUNDLE_READ_FAILED: {
    title: 'Reading the media failed part way (it may have been removed). Nothing was imported.',
    action: 'Reconnect the media, check it is not damaged, and start the import again.',
  },
  BUNDLE_STORE_CORRUPT: {
    title:
      "A bundle file stored on this machine's disk did not read back as signed. The bundle is quarantined and cannot be deployed.",
    action:
      "Check this machine's disk for errors, then import the bundle again from its media to repair it.",
  },
  BUNDLE_NOT_FOUND: {
    title: 'There is no imported bundle with that id.',
    action: 'Reload the bundle list; it may have been imported into another workspace.',
  },
  TRUST_FINGERPRINT_MISMATCH: {
    title:
      'The fingerprint you entered does not match any key of this root. The publisher was not added.',
    action: 'Compare the fingerprint with the publisher again over a trusted channel, then retry.',
  },
  TRUST_ROOT_INVALID: {
    title:
      'This root file is not a valid publisher root, or it is not signed by its own keys. The publisher was not added.',
    action: 'Ask the publisher for their root file again.',
  },
  TRUST_KEY_NOT_FOUND: {
    title: 'There is no trusted key with that id.',
    action: 'Reload the trust list and pick the key again.',
  },
  INTERNAL_ERROR: {
    title: 'Something went wrong inside PatchDeck.',
    action:
      'Try again. If it keeps happening, the details are in the PatchDeck log: report them to support.',
  },
};

/** An error ready to show: the mapped text plus, where useful, the core's own explanation. */
export type UserFacingError = ErrorMessage & {
  code: ErrorCode;
  /** The core's user-safe message, when it adds something (never for INTERNAL_ERROR). */
  detail?: string;
  /** Field problems of a VALIDATION_FAILED answer. */
  issues?: string[];
};

function readIssues(details: Record<string, unknown> | undefined): string[] {
  const raw = details?.['issues'];
  if (!Array.isArray(raw)) return [];
  return raw.flatMap((issue: unknown) => {
    if (typeof issue === 'string') return [issue];
    if (issue !== null && typeof issue === 'object' && 'message' in issue) {
      const { message, path } = issue as { message: unknown; path?: unknown };
      const where = Array.isArray(path) ? path.join('.') : '';
      return typeof message === 'string' ? [where ? `${where}: ${message}` : message] : [];
    }
    return [];
  });
}

/** Turns an API error into the text the operator sees. */
export function describeApiError(
  error: Pick<ApiError, 'code' | 'message' | 'details'>,
): UserFacingError {
  const mapped = ERROR_MESSAGES[error.code];
  const described: UserFacingError = { code: error.code, ...mapped };
  if (error.code === 'INTERNAL_ERROR') return described;
  if (error.code === 'VALIDATION_FAILED') {
    const issues = readIssues(error.details);
    if (issues.length > 0) described.issues = issues;
    return described;
  }
  const detail = error.message.trim();
  if (detail && detail !== mapped.title) described.detail = detail;
  return described;
}
