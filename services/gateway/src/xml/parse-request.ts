import { parseXml, type Document, type Element } from 'libxmljs2';
import { readRequestSchema } from '@ticket-intake/shared';
import { RequestError } from '../errors';
import { AttachmentData } from './attachment-data';
import { hasDoctype } from './prolog';

/**
 * libxml2 options for request documents: no entity substitution (`noent` off), no DTD
 * loading or validation, no network, and the default size limits ("huge" off). Line
 * numbers above 65535 are kept exact.
 */
const SAFE_PARSE_OPTIONS = {
  noent: false,
  dtdload: false,
  dtdvalid: false,
  nonet: true,
  huge: false,
  recover: false,
  big_lines: true,
} as const;

export const DOCTYPE_REASON = 'DOCTYPE and entity declarations are not accepted';

export interface RequestDocument {
  /** Text of `<api>`, trimmed; undefined when the element is absent. */
  apiKey: string | undefined;
  /** Text of `<op>`, trimmed; undefined when the element is absent. */
  op: string | undefined;
  tickets: Element[];
  /** Attachment data taken out of the document before parsing. */
  attachmentData: AttachmentData;
}

function childText(parent: Element, name: string): string | undefined {
  const child = parent.get<Element>(name);
  return child ? child.text().trim() : undefined;
}

function parseWellFormed(xml: Buffer): Document {
  try {
    // The typings accept only strings; a Buffer lets libxml2 honour the declared encoding.
    return parseXml(xml as unknown as string, SAFE_PARSE_OPTIONS);
  } catch (error) {
    const { message, line } = error as Error & { line?: number };
    const text = message.trim();
    const where = line ? `line ${line}: ` : '';
    throw new RequestError(400, `XML is not well-formed: ${where}${text}`, [{ line, message: text }]);
  }
}

/** Parses request documents and validates them against the request XSD. */
export class RequestParser {
  private readonly schema: Document = parseXml(readRequestSchema());

  /**
   * Parses `xml`. A caller that scanned the body for attachment data while it arrived
   * passes the result as `scanned`.
   */
  parse(xml: Buffer, scanned?: AttachmentData): RequestDocument {
    if (hasDoctype(xml)) throw new RequestError(400, DOCTYPE_REASON);

    const attachmentData = scanned ?? AttachmentData.extract(xml);
    const document = parseWellFormed(attachmentData.skeleton);
    // A second guard: no text is read from a document that declares a DTD in any way.
    if (document.getDtd() !== null) throw new RequestError(400, DOCTYPE_REASON);

    const root = document.root();
    if (!root || root.name() !== 'msapi') {
      const found = root ? `<${root.name()}>` : 'no element';
      throw new RequestError(400, `root element must be <msapi>, found ${found}`);
    }

    if (!document.validate(this.schema)) {
      const errors = document.validationErrors.map((error) => ({
        line: error.line ?? undefined,
        message: error.message.trim(),
      }));
      const first = errors[0];
      const where = first?.line ? `line ${first.line}: ` : '';
      throw new RequestError(400, `XML does not match the schema: ${where}${first?.message ?? 'invalid'}`, errors);
    }

    return {
      apiKey: childText(root, 'api'),
      op: childText(root, 'op'),
      tickets: root.find<Element>('tickets/ticket'),
      attachmentData,
    };
  }
}
