import { createHash, randomBytes } from 'node:crypto';
import type { Element } from 'libxmljs2';
import { lookup } from 'mime-types';
import type { AttachmentData } from '../xml/attachment-data';
import { childrenNamed, childrenOf } from './children';
import { decodeBase64Strict, decodeBase64Text, type DecodedData } from './base64';
import { characterCount, quote } from './describe';
import { TicketRejection } from './rejection';

export interface AttachmentRules {
  attachmentsEnabled: boolean;
  /** Lower-case extensions; empty allows every extension. */
  attachmentAllowedExtensions: string[];
  attachmentMaxBytes: number;
  attachmentMaxFiles: number;
}

/** An attachment decoded in memory, waiting to be uploaded to the object store. */
export interface DecodedAttachment {
  position: number;
  fileName: string;
  ext: string;
  mimeType: string;
  sha256: string;
  bytes: Buffer;
}

const EXTENSION = /^[A-Za-z0-9]{1,16}$/;
const MAX_NAME_CHARACTERS = 255;

function decodeFile(file: Element, position: number, data: AttachmentData): DecodedAttachment {
  const label = `attachment ${position}`;

  const children = childrenOf(file);
  const ext = children.get('ext')?.text().trim() ?? '';
  if (ext === '') throw new TicketRejection(`${label}: ext is missing`);
  if (!EXTENSION.test(ext)) {
    throw new TicketRejection(`${label}: ext ${quote(ext)} must be 1 to 16 letters and digits`);
  }

  // The display name is kept byte for byte; it never becomes part of a storage key.
  const sentName = children.get('name')?.text() ?? '';
  if (characterCount(sentName) > MAX_NAME_CHARACTERS) {
    throw new TicketRejection(`${label}: name is longer than ${MAX_NAME_CHARACTERS} characters`);
  }
  const fileName = sentName !== '' ? sentName : `${randomBytes(8).toString('hex')}.${ext.toLowerCase()}`;

  const text = children.get('data')?.text() ?? '';
  const extracted = data.take(text);
  if (extracted?.decoded) return attachmentOf(position, fileName, ext, extracted.decoded);

  const decoded = extracted ? decodeBase64Strict(extracted.raw) : decodeBase64Text(text);
  if (!decoded.ok) throw new TicketRejection(`${label} (${quote(fileName)}): data is not valid base64: ${decoded.problem}`);
  const sha256 = createHash('sha256').update(decoded.bytes).digest('hex');
  return attachmentOf(position, fileName, ext, { bytes: decoded.bytes, sha256 });
}

function attachmentOf(
  position: number,
  fileName: string,
  ext: string,
  data: Pick<DecodedData, 'bytes' | 'sha256'>,
): DecodedAttachment {
  const lowerExt = ext.toLowerCase();
  return {
    position,
    fileName,
    ext: lowerExt,
    mimeType: lookup(lowerExt) || 'application/octet-stream',
    sha256: data.sha256,
    bytes: data.bytes,
  };
}

/** Returns the restriction a decoded file breaks, or undefined when it may be stored. */
function brokenRestriction(file: DecodedAttachment, keptSoFar: number, rules: AttachmentRules): string | undefined {
  if (!rules.attachmentsEnabled) return 'attachments are disabled';
  const allowed = rules.attachmentAllowedExtensions;
  if (allowed.length > 0 && !allowed.includes(file.ext)) return `extension ${file.ext} is not allowed`;
  if (file.bytes.length > rules.attachmentMaxBytes) {
    return `${file.bytes.length} bytes is over the limit of ${rules.attachmentMaxBytes} bytes`;
  }
  if (keptSoFar >= rules.attachmentMaxFiles) return `at most ${rules.attachmentMaxFiles} attachments are stored per ticket`;
  return undefined;
}

/**
 * Decodes every `<file>` of a ticket's `<attachments>`. A malformed file rejects the
 * ticket. A file that breaks a configured restriction is left out with a warning, and
 * the ticket goes on.
 */
export function readAttachments(
  container: Element | undefined,
  rules: AttachmentRules,
  data: AttachmentData,
): { attachments: DecodedAttachment[]; warnings: string[] } {
  const files = childrenNamed(container, 'file');
  const attachments: DecodedAttachment[] = [];
  const warnings: string[] = [];

  files.forEach((element, i) => {
    const file = decodeFile(element, i + 1, data);
    const problem = brokenRestriction(file, attachments.length, rules);
    if (problem) {
      warnings.push(`attachment ${file.position} (${file.fileName}) ignored: ${problem}`);
    } else {
      attachments.push(file);
    }
  });
  return { attachments, warnings };
}
