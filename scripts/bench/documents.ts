/** Add Ticket request documents for the load runs. */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { ROOT } from './processes';

const run = promisify(execFile);

function ticketXml(email: string, sequence: number): string {
  return `    <ticket>
      <name>Bench Customer ${sequence}</name>
      <email>${email}</email>
      <dept>1</dept>
      <subject><![CDATA[Printer on floor 3 prints blank pages]]></subject>
      <comments>Since this morning every job comes out blank. Toner was replaced last week; the test page prints fine.</comments>
      <language>english</language>
      <priority>medium</priority>
      <customfields><f1>REF-${sequence}</f1></customfields>
    </ticket>
`;
}

/**
 * Builds documents in which every ticket has an address of its own, so each ticket
 * creates a new account and no two transactions update the same account row.
 */
export class DocumentFactory {
  private sequence = 0;

  constructor(
    private readonly apiKey: string,
    /** Distinguishes the addresses of one bench phase from those of another. */
    private readonly tag: string,
  ) {}

  next(tickets: number): string {
    const parts = [`<?xml version="1.0" encoding="utf-8"?>\n<msapi>\n  <api>${this.apiKey}</api>\n  <op>ticket</op>\n  <tickets>\n`];
    for (let i = 0; i < tickets; i++) {
      const sequence = ++this.sequence;
      parts.push(ticketXml(`customer-${this.tag}-${sequence}@example.com`, sequence));
    }
    parts.push('  </tickets>\n</msapi>\n');
    return parts.join('');
  }
}

export interface AttachmentDocument {
  /** Size of the attachment after base64 decoding. */
  rawBytes: number;
  document: Buffer;
  /** The decoded attachment, for the raw object store baseline. */
  raw: Buffer;
}

/**
 * Writes a one-ticket document with an attachment of `rawBytes` bytes using the test
 * fixture generator test/fixtures/gen/18-big-attachment.mjs, and decodes the attachment
 * again, checking it against the SHA-256 the generator reports.
 */
export async function generateAttachmentDocument(
  directory: string,
  rawBytes: number,
  apiKey: string,
): Promise<AttachmentDocument> {
  const file = path.join(directory, `attachment-${rawBytes}.xml`);
  const generator = path.join(ROOT, 'test', 'fixtures', 'gen', '18-big-attachment.mjs');
  const { stderr } = await run(process.execPath, [generator, file, String(rawBytes)], {
    env: { PATH: process.env.PATH, MSAPI_KEY: apiKey },
  });
  const reported = JSON.parse(stderr.trim().split('\n').pop()!) as { rawSha256: string; documentBytes: number };

  const document = await readFile(file);
  const text = document.toString('latin1');
  const start = text.indexOf('<data>') + '<data>'.length;
  const raw = Buffer.from(text.slice(start, text.indexOf('</data>', start)), 'base64');
  const sha256 = createHash('sha256').update(raw).digest('hex');
  if (raw.length !== rawBytes || sha256 !== reported.rawSha256 || document.length !== reported.documentBytes) {
    throw new Error(`the generated ${rawBytes}-byte attachment document in ${file} does not match what the generator reported`);
  }
  return { rawBytes, document, raw };
}
