import type { ErrorCode } from '../../../shared/api/errors';

/** The checks an import runs, in the order the report lists them. */
export const VERIFICATION_CHECKS = {
  format: 'Bundle format and signed limits',
  publisher: 'Publisher trusted by fingerprint',
  rotation: 'Publisher root chain',
  signatures: 'Signatures and threshold',
  paths: 'Safe paths only',
  completeness: 'No extra or missing files',
  hashes: 'Every file matches its signed length and SHA-256',
  packages: 'Packages are what the metadata says',
  sequence: 'Sequence against the last one seen',
  expiry: 'Expiry',
  media: 'Reading the media',
  store: 'Writing the verified copy',
} as const;

/** One check of the verification report. */
export type VerificationCheck = keyof typeof VERIFICATION_CHECKS;

const CHECK_OF_CODE: Partial<Record<ErrorCode, VerificationCheck>> = {
  BUNDLE_MALFORMED: 'format',
  BUNDLE_METADATA_TOO_LARGE: 'format',
  BUNDLE_LIMITS_EXCEEDED: 'format',
  BUNDLE_ARCHIVE_CORRUPT: 'format',
  BUNDLE_PUBLISHER_NOT_TRUSTED: 'publisher',
  BUNDLE_ROOT_ROTATION_INVALID: 'rotation',
  BUNDLE_SIGNATURE_INVALID: 'signatures',
  BUNDLE_SIGNATURE_DUPLICATE: 'signatures',
  BUNDLE_THRESHOLD_NOT_MET: 'signatures',
  BUNDLE_UNTRUSTED_KEY: 'signatures',
  BUNDLE_UNSAFE_PATH: 'paths',
  BUNDLE_UNSAFE_ENTRY: 'paths',
  BUNDLE_FILE_EXTRA: 'completeness',
  BUNDLE_FILE_MISSING: 'completeness',
  BUNDLE_HASH_MISMATCH: 'hashes',
  BUNDLE_FILE_TOO_LARGE: 'hashes',
  BUNDLE_PACKAGE_MISMATCH: 'packages',
  BUNDLE_ROLLBACK: 'sequence',
  BUNDLE_TIME_RATCHET: 'sequence',
  BUNDLE_ID_CONFLICT: 'sequence',
  BUNDLE_EXPIRED: 'expiry',
  BUNDLE_SOURCE_NOT_FOUND: 'media',
  BUNDLE_READ_FAILED: 'media',
  BUNDLE_STORE_CORRUPT: 'store',
  STORAGE_WRITE_FAILED: 'store',
};

/** The check an import refusal failed, or undefined when the code is not a verification one. */
export function failedCheck(code: ErrorCode): VerificationCheck | undefined {
  return CHECK_OF_CODE[code];
}
