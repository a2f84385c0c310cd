import { createHash } from 'node:crypto';
import { parseXml, type Element } from 'libxmljs2';
import { checkTicket, type CheckedTicket, type TicketRules } from '../../services/gateway/src/tickets/check-ticket';
import { AttachmentData } from '../../services/gateway/src/xml/attachment-data';

const MIB = 1024 * 1024;

const RULES: TicketRules = {
  commentsMaxChars: MIB,
  attachmentsEnabled: true,
  attachmentAllowedExtensions: [],
  attachmentMaxBytes: 20 * MIB,
  attachmentMaxFiles: 10,
};

/** One code point, two UTF-16 code units and four UTF-8 bytes. */
const EMOJI = '\u{1F600}';

type Fields = Record<string, string | undefined>;

const VALID_FIELDS: Fields = {
  name: 'Ada Example',
  email: 'ada@example.com',
  dept: '1',
  subject: 'Printer jam',
  comments: 'The printer on floor 2 jams on every page.',
};

function escapeText(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Builds the inner XML of a ticket and leaves out every field set to undefined. */
function fieldsXml(overrides: Fields = {}, extra = ''): string {
  const fields = { ...VALID_FIELDS, ...overrides };
  const elements = Object.entries(fields)
    .filter((entry): entry is [string, string] => entry[1] !== undefined)
    .map(([name, value]) => `<${name}>${escapeText(value)}</${name}>`);
  return elements.join('\n') + extra;
}

function fileXml(file: { ext?: string; name?: string; data?: string }): string {
  const parts = Object.entries(file)
    .filter((entry): entry is [string, string] => entry[1] !== undefined)
    .map(([name, value]) => `<${name}>${value}</${name}>`);
  return `<file>${parts.join('')}</file>`;
}

function attachmentsXml(files: { ext?: string; name?: string; data?: string }[]): string {
  return `<attachments>${files.map(fileXml).join('')}</attachments>`;
}

/** Parses one ticket the way the gateway does: attachment data is taken out before parsing. */
function check(innerXml: string, rules: Partial<TicketRules> = {}): CheckedTicket {
  const xml = Buffer.from(`<msapi><tickets><ticket>${innerXml}</ticket></tickets></msapi>`);
  const data = AttachmentData.extract(xml);
  const document = parseXml(data.skeleton as unknown as string);
  const ticket = document.get<Element>('/msapi/tickets/ticket')!;
  return checkTicket(ticket, 1, { ...RULES, ...rules }, data);
}

function accepted(result: CheckedTicket): Extract<CheckedTicket, { ok: true }> {
  if (!result.ok) throw new Error(`expected the ticket to be accepted, got: ${result.reason}`);
  return result;
}

function reasonOf(result: CheckedTicket): string {
  if (result.ok) throw new Error('expected the ticket to be rejected, but it was accepted');
  return result.reason;
}

/** Quotes a value as reasons do: JSON string syntax, cut after 60 characters with an ellipsis. */
function quoted(value: string): string {
  const characters = [...value];
  return JSON.stringify(characters.length > 60 ? `${characters.slice(0, 60).join('')}…` : value);
}

function base64Of(text: string): string {
  return Buffer.from(text).toString('base64');
}

describe('checkTicket fields', () => {
  test('valid ticket keeps every field', () => {
    const result = accepted(
      check(
        fieldsXml({ priority: ' high ', status: 'Open', language: 'english' }, '<customfields><f1>Order 4711</f1></customfields>'),
      ),
    );

    expect(result.index).toBe(1);
    expect(result.fields.name).toBe('Ada Example');
    expect(result.fields.email).toBe('ada@example.com');
    expect(result.fields.departmentId).toBe(1);
    expect(result.fields.subject).toBe('Printer jam');
    expect(result.fields.comments).toBe('The printer on floor 2 jams on every page.');
    expect(result.fields.priority).toBe('high');
    expect(result.fields.status).toBe('Open');
    expect(result.fields.language).toBe('english');
    expect(result.fields.customFields).toEqual([{ fieldId: 1, value: 'Order 4711' }]);
    expect(result.attachments).toEqual([]);
    expect(result.warnings).toEqual([]);
  });

  test.each([
    { label: 'missing name', name: undefined, expected: '' },
    { label: 'blank name', name: '  \n ', expected: '' },
    { label: 'name trimmed', name: '  Ada  ', expected: 'Ada' },
    { label: '200 letters', name: 'a'.repeat(200), expected: 'a'.repeat(200) },
    { label: '200 emoji', name: EMOJI.repeat(200), expected: EMOJI.repeat(200) },
  ])('name accepted: $label', ({ name, expected }) => {
    const result = accepted(check(fieldsXml({ name })));

    expect(result.fields.name).toBe(expected);
  });

  test.each([
    { label: '201 letters', name: 'a'.repeat(201), reason: 'name: 201 characters is over the limit of 200' },
    { label: '201 emoji', name: EMOJI.repeat(201), reason: 'name: 201 characters is over the limit of 200' },
  ])('name rejected: $label', ({ name, reason }) => {
    expect(reasonOf(check(fieldsXml({ name })))).toBe(reason);
  });

  test.each([
    { label: 'plain', email: 'ada@example.com' },
    { label: 'plus-addressing', email: 'ada+helpdesk@example.com' },
    { label: 'subdomains', email: 'ada@mail.eu.example.co.uk' },
    { label: 'mixed case', email: 'Ada.Example@Example.COM' },
    { label: 'dots in local part', email: 'ada.b.example@example.com' },
    { label: 'hyphenated domain', email: 'ada@my-example.com' },
    { label: 'digits in domain', email: 'ada@example123.com' },
    { label: 'punycode top-level domain', email: 'ada@example.xn--p1ai' },
    { label: 'international letters', email: 'jörg@bücher.example' },
    { label: 'special characters', email: "o'brien_&-x!#$%*/=?^`{|}~@example.com" },
    { label: '64 character local part', email: `${'a'.repeat(64)}@example.com` },
  ])('email valid: $label', ({ email }) => {
    const result = accepted(check(fieldsXml({ email })));

    expect(result.fields.email).toBe(email);
  });

  test('email surrounding white space trimmed', () => {
    const result = accepted(check(fieldsXml({ email: '\n  ada@example.com \t' })));

    expect(result.fields.email).toBe('ada@example.com');
  });

  test.each([
    { label: 'missing @', email: 'ada.example.com' },
    { label: 'two @', email: 'ada@@example.com' },
    { label: 'space in local part', email: 'ada example@example.com' },
    { label: 'space in domain', email: 'ada@exa mple.com' },
    { label: 'double dots in local part', email: 'ada..example@example.com' },
    { label: 'double dots in domain', email: 'ada@example..com' },
    { label: 'leading dot', email: '.ada@example.com' },
    { label: 'dot before @', email: 'ada.@example.com' },
    { label: 'trailing dot', email: 'ada@example.com.' },
    { label: 'single-label domain', email: 'ada@localhost' },
    { label: 'one-letter top-level domain', email: 'ada@example.c' },
    { label: 'numeric top-level domain', email: 'ada@example.123' },
    { label: 'label starting with hyphen', email: 'ada@-example.com' },
    { label: 'IP literal domain', email: 'ada@[192.0.2.1]' },
    { label: 'quoted local part', email: '"ada example"@example.com' },
    { label: 'empty local part', email: '@example.com' },
    { label: 'empty domain', email: 'ada@' },
    { label: '65 character local part', email: `${'a'.repeat(65)}@example.com` },
    { label: 'over 254 characters', email: `${'a'.repeat(64)}@${'b'.repeat(60)}.${'c'.repeat(60)}.${'d'.repeat(60)}.example.com` },
    { label: 'two addresses', email: 'ada@example.com, bob@example.com' },
  ])('email invalid: $label', ({ email }) => {
    expect(reasonOf(check(fieldsXml({ email })))).toBe(`email: ${quoted(email)} is not a valid e-mail address`);
  });

  test('long value shortened in reason', () => {
    const email = `${'a'.repeat(70)}@example..com`;

    expect(reasonOf(check(fieldsXml({ email })))).toBe(`email: "${'a'.repeat(60)}…" is not a valid e-mail address`);
  });

  test.each([
    { label: 'missing', email: undefined, reason: 'email: missing' },
    { label: 'empty', email: '', reason: 'email: empty' },
    { label: 'blank', email: '  \n ', reason: 'email: empty' },
  ])('email required: $label', ({ email, reason }) => {
    expect(reasonOf(check(fieldsXml({ email })))).toBe(reason);
  });

  test.each([
    { label: 'one', dept: '1', expected: 1 },
    { label: 'padded with spaces', dept: ' 2 ', expected: 2 },
    { label: 'leading zero', dept: '07', expected: 7 },
    { label: 'largest id', dept: '2147483647', expected: 2_147_483_647 },
  ])('dept accepted: $label', ({ dept, expected }) => {
    expect(accepted(check(fieldsXml({ dept }))).fields.departmentId).toBe(expected);
  });

  test.each([
    { label: 'missing', dept: undefined, reason: 'dept: missing' },
    { label: 'empty', dept: '', reason: 'dept: empty' },
    { label: 'zero', dept: '0', reason: 'dept: "0" is not a department id (a positive whole number)' },
    { label: 'negative', dept: '-1', reason: 'dept: "-1" is not a department id (a positive whole number)' },
    { label: 'name', dept: 'General', reason: 'dept: "General" is not a department id (a positive whole number)' },
    { label: 'decimal', dept: '1.5', reason: 'dept: "1.5" is not a department id (a positive whole number)' },
    {
      label: 'over 32 bits',
      dept: '2147483648',
      reason: 'dept: "2147483648" is not a department id (a positive whole number)',
    },
  ])('dept rejected: $label', ({ dept, reason }) => {
    expect(reasonOf(check(fieldsXml({ dept })))).toBe(reason);
  });

  test.each([
    { label: 'zero', subject: '0', expected: '0' },
    { label: 'trimmed', subject: '  Printer jam \n', expected: 'Printer jam' },
    { label: '250 letters', subject: 's'.repeat(250), expected: 's'.repeat(250) },
    { label: '250 emoji', subject: EMOJI.repeat(250), expected: EMOJI.repeat(250) },
    { label: '250 after trimming', subject: ` ${'s'.repeat(250)} `, expected: 's'.repeat(250) },
  ])('subject accepted: $label', ({ subject, expected }) => {
    expect(accepted(check(fieldsXml({ subject }))).fields.subject).toBe(expected);
  });

  test.each([
    { label: 'missing', subject: undefined, reason: 'subject: missing' },
    { label: 'empty', subject: '', reason: 'subject: empty' },
    { label: 'blank', subject: ' \t\n ', reason: 'subject: empty' },
    { label: '251 letters', subject: 's'.repeat(251), reason: 'subject: 251 characters is over the limit of 250' },
    { label: '251 emoji', subject: EMOJI.repeat(251), reason: 'subject: 251 characters is over the limit of 250' },
  ])('subject rejected: $label', ({ subject, reason }) => {
    expect(reasonOf(check(fieldsXml({ subject })))).toBe(reason);
  });

  test('comments stored with white space', () => {
    const comments = '\n  First line.\n\n  Second line & <more>.  \n';

    const result = accepted(check(fieldsXml({ comments })));

    expect(result.fields.comments).toBe(comments);
  });

  test.each([
    { label: 'at the limit', comments: 'c'.repeat(10) },
    { label: 'emoji at the limit', comments: EMOJI.repeat(10) },
    { label: 'zero', comments: '0' },
  ])('comments accepted: $label', ({ comments }) => {
    expect(accepted(check(fieldsXml({ comments }), { commentsMaxChars: 10 })).fields.comments).toBe(comments);
  });

  test.each([
    { label: 'missing', comments: undefined, reason: 'comments: missing' },
    { label: 'empty', comments: '', reason: 'comments: empty' },
    { label: 'blank', comments: ' \n\t ', reason: 'comments: empty' },
    { label: 'over the limit', comments: 'c'.repeat(11), reason: 'comments: 11 characters is over the limit of 10' },
    { label: 'emoji over the limit', comments: EMOJI.repeat(11), reason: 'comments: 11 characters is over the limit of 10' },
    { label: 'white space counted', comments: ` ${'c'.repeat(10)}`, reason: 'comments: 11 characters is over the limit of 10' },
  ])('comments rejected: $label', ({ comments, reason }) => {
    expect(reasonOf(check(fieldsXml({ comments }), { commentsMaxChars: 10 }))).toBe(reason);
  });

  test('comments default limit is large', () => {
    const comments = 'x'.repeat(MIB);

    expect(accepted(check(fieldsXml({ comments }))).fields.comments).toHaveLength(MIB);
    expect(reasonOf(check(fieldsXml({ comments: `${comments}y` })))).toBe(
      `comments: ${MIB + 1} characters is over the limit of ${MIB}`,
    );
  });

  test.each(['priority', 'status', 'language'])('%s blank means default', (name) => {
    const missing = accepted(check(fieldsXml()));
    const blank = accepted(check(fieldsXml({ [name]: '   ' })));

    expect(missing.fields[name as 'priority']).toBe('');
    expect(blank.fields[name as 'priority']).toBe('');
  });

  test.each(['priority', 'status', 'language'])('%s limited to 100 characters', (name) => {
    const atLimit = accepted(check(fieldsXml({ [name]: 'p'.repeat(100) })));

    expect(atLimit.fields[name as 'priority']).toBe('p'.repeat(100));
    expect(reasonOf(check(fieldsXml({ [name]: 'p'.repeat(101) })))).toBe(
      `${name}: 101 characters is over the limit of 100`,
    );
  });
});

describe('checkTicket markup between elements', () => {
  test('reads fields between comments', () => {
    const inner = `<!-- sent by a form --><name>Ada</name><![CDATA[ stray ]]><?note x?>${fieldsXml({ name: undefined })}`;
    const files = `<attachments><!-- one file --><file><!-- a --><ext>txt</ext><data>QUJD</data></file></attachments>`;
    const custom = '<customfields><!-- ref --><f1>R-1</f1></customfields>';

    const ticket = accepted(check(inner + custom + files));

    expect(ticket.fields.name).toBe('Ada');
    expect(ticket.fields.customFields).toEqual([{ fieldId: 1, value: 'R-1' }]);
    expect(ticket.attachments.map((file) => file.bytes.toString())).toEqual(['ABC']);
  });
});

describe('checkTicket custom fields', () => {
  test('values kept as sent', () => {
    const result = accepted(
      check(fieldsXml({}, '<customfields><f1> Order 4711 </f1><f22>Email#####Phone</f22><f3/></customfields>')),
    );

    expect(result.fields.customFields).toEqual([
      { fieldId: 1, value: ' Order 4711 ' },
      { fieldId: 22, value: 'Email#####Phone' },
      { fieldId: 3, value: '' },
    ]);
  });

  test.each([
    { label: 'other name', xml: '<reference>x</reference>', tag: 'reference' },
    { label: 'f0', xml: '<f0>x</f0>', tag: 'f0' },
    { label: 'leading zero', xml: '<f01>x</f01>', tag: 'f01' },
    { label: 'upper-case F', xml: '<F1>x</F1>', tag: 'F1' },
    { label: 'ten digits', xml: '<f1234567890>x</f1234567890>', tag: 'f1234567890' },
  ])('tag ignored with warning: $label', ({ xml, tag }) => {
    const result = accepted(check(fieldsXml({}, `<customfields>${xml}<f2>kept</f2></customfields>`)));

    expect(result.fields.customFields).toEqual([{ fieldId: 2, value: 'kept' }]);
    expect(result.warnings).toEqual([
      `customfields: <${tag}> ignored: expected f followed by a field id, such as <f1>`,
    ]);
  });

  test('repeated field rejects ticket', () => {
    const result = check(fieldsXml({}, '<customfields><f1>a</f1><f1>b</f1></customfields>'));

    expect(reasonOf(result)).toBe('customfields: <f1> appears more than once');
  });

  test('value limited to 65535 bytes', () => {
    const atLimit = accepted(check(fieldsXml({}, `<customfields><f1>${'v'.repeat(65_535)}</f1></customfields>`)));
    // 16,384 emoji are 65,536 UTF-8 bytes.
    const overLimit = check(fieldsXml({}, `<customfields><f1>${EMOJI.repeat(16_384)}</f1></customfields>`));

    expect(atLimit.fields.customFields[0]!.value).toHaveLength(65_535);
    expect(reasonOf(overLimit)).toBe('customfields: <f1> is over the limit of 65535 bytes');
  });
});

describe('checkTicket attachments', () => {
  test('decoded file is described', () => {
    const bytes = Buffer.from('%PDF-1.4 invoice\n');

    const result = accepted(
      check(fieldsXml({}, attachmentsXml([{ ext: 'PDF', name: 'invoice 2024.pdf', data: bytes.toString('base64') }]))),
    );

    expect(result.attachments).toHaveLength(1);
    const [file] = result.attachments;
    expect(file!.position).toBe(1);
    expect(file!.fileName).toBe('invoice 2024.pdf');
    expect(file!.ext).toBe('pdf');
    expect(file!.mimeType).toBe('application/pdf');
    expect(file!.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
    expect(file!.bytes.equals(bytes)).toBe(true);
  });

  test('name kept byte for byte', () => {
    const name = ' ../../etc/passwd?x=1#frag 📎 ';

    const result = accepted(check(fieldsXml({}, attachmentsXml([{ ext: 'txt', name, data: base64Of('x') }]))));

    expect(result.attachments[0]!.fileName).toBe(name);
  });

  test.each([
    { label: 'missing name', name: undefined },
    { label: 'empty name', name: '' },
  ])('random name for $label', ({ name }) => {
    const result = accepted(check(fieldsXml({}, attachmentsXml([{ ext: 'TXT', name, data: base64Of('x') }]))));

    expect(result.attachments[0]!.fileName).toMatch(/^[0-9a-f]{16}\.txt$/);
  });

  test('name over 255 characters rejected', () => {
    const atLimit = check(fieldsXml({}, attachmentsXml([{ ext: 'txt', name: EMOJI.repeat(255), data: 'eA==' }])));
    const overLimit = check(fieldsXml({}, attachmentsXml([{ ext: 'txt', name: 'n'.repeat(256), data: 'eA==' }])));

    expect(accepted(atLimit).attachments[0]!.fileName).toBe(EMOJI.repeat(255));
    expect(reasonOf(overLimit)).toBe('attachment 1: name is longer than 255 characters');
  });

  test.each([
    { label: 'unknown extension', ext: 'xyz1', mimeType: 'application/octet-stream' },
    { label: 'upper-case extension', ext: 'PNG', mimeType: 'image/png' },
    { label: 'sixteen characters', ext: 'abcdefghij012345', mimeType: 'application/octet-stream' },
  ])('ext accepted: $label', ({ ext, mimeType }) => {
    const result = accepted(check(fieldsXml({}, attachmentsXml([{ ext, name: 'f', data: 'eA==' }]))));

    expect(result.attachments[0]!.ext).toBe(ext.toLowerCase());
    expect(result.attachments[0]!.mimeType).toBe(mimeType);
  });

  test.each([
    { label: 'missing', ext: undefined, reason: 'attachment 1: ext is missing' },
    { label: 'empty', ext: '', reason: 'attachment 1: ext is missing' },
    { label: 'blank', ext: '  ', reason: 'attachment 1: ext is missing' },
    { label: 'leading dot', ext: '.pdf', reason: 'attachment 1: ext ".pdf" must be 1 to 16 letters and digits' },
    { label: 'two parts', ext: 'tar.gz', reason: 'attachment 1: ext "tar.gz" must be 1 to 16 letters and digits' },
    { label: 'path', ext: '../x', reason: 'attachment 1: ext "../x" must be 1 to 16 letters and digits' },
    { label: 'space inside', ext: 'p df', reason: 'attachment 1: ext "p df" must be 1 to 16 letters and digits' },
    {
      label: 'seventeen characters',
      ext: 'abcdefghij0123456',
      reason: 'attachment 1: ext "abcdefghij0123456" must be 1 to 16 letters and digits',
    },
    { label: 'non-ASCII letter', ext: 'dоc', reason: 'attachment 1: ext "dоc" must be 1 to 16 letters and digits' },
  ])('ext rejected: $label', ({ ext, reason }) => {
    expect(reasonOf(check(fieldsXml({}, attachmentsXml([{ ext, name: 'f', data: 'eA==' }]))))).toBe(reason);
  });

  test('error names attachment position', () => {
    const result = check(
      fieldsXml({}, attachmentsXml([{ ext: 'txt', name: 'ok.txt', data: 'eA==' }, { ext: 'a.b', name: 'bad' }])),
    );

    expect(reasonOf(result)).toBe('attachment 2: ext "a.b" must be 1 to 16 letters and digits');
  });

  test.each([
    { label: 'one byte', data: 'eA==', expected: 'x' },
    { label: 'two bytes', data: 'eHk=', expected: 'xy' },
    { label: 'no padding needed', data: 'eHl6', expected: 'xyz' },
    { label: 'line-wrapped', data: 'SGVs\nbG8s\r\nIHdv\ncmxk', expected: 'Hello, world' },
    { label: 'indented lines', data: '\n    SGVsbG8s\n    IHdvcmxk\n  ', expected: 'Hello, world' },
    { label: 'tabs and spaces', data: 'SGVs bG8s\tIHdv cmxk', expected: 'Hello, world' },
    { label: 'white space in padding', data: 'eA=\n=', expected: 'x' },
    { label: 'plus and slash', data: '+/+/', expected: '\xfb\xff\xbf' },
  ])('data decoded: $label', ({ data, expected }) => {
    const result = accepted(check(fieldsXml({}, attachmentsXml([{ ext: 'bin', name: 'f', data }]))));

    expect(result.attachments[0]!.bytes.equals(Buffer.from(expected, 'latin1'))).toBe(true);
  });

  test.each([
    { label: 'empty element', data: '' },
    { label: 'white space only', data: ' \n\t ' },
    { label: 'missing element', data: undefined },
  ])('zero-byte file: $label', ({ data }) => {
    const result = accepted(check(fieldsXml({}, attachmentsXml([{ ext: 'txt', name: 'empty.txt', data }]))));

    expect(result.attachments[0]!.bytes.length).toBe(0);
    expect(result.attachments[0]!.sha256).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });

  test('self-closing data is zero bytes', () => {
    const result = accepted(check(fieldsXml({}, '<attachments><file><ext>txt</ext><data/></file></attachments>')));

    expect(result.attachments[0]!.bytes.length).toBe(0);
  });

  test.each([
    {
      label: 'data URL prefix',
      data: 'data:text/plain;base64,eA==',
      problem: 'unexpected ":" at position 5',
    },
    { label: 'bad character', data: 'eA*=', problem: 'unexpected "*" at position 3' },
    { label: 'URL-safe alphabet', data: '-_-_', problem: 'unexpected "-" at position 1' },
    { label: 'non-ASCII letter', data: 'eAé=', problem: 'unexpected byte 0xe9 at position 3' },
    { label: 'character beyond Latin-1', data: 'eA€=', problem: 'unexpected "€" at position 3' },
    { label: 'entity for a space', data: 'eA&#xA0;==', problem: 'unexpected byte 0xa0 at position 3' },
    { label: 'missing padding', data: 'eA', problem: 'length 2 is not a multiple of 4' },
    { label: 'one extra character', data: 'eHl6e', problem: 'length 5 is not a multiple of 4' },
    { label: 'padding in the middle', data: 'eA==eA==', problem: 'unexpected "e" at position 5' },
    { label: 'three padding characters', data: 'e===', problem: 'padding "=" may only end the data' },
    { label: 'only padding', data: '====', problem: 'padding "=" may only end the data' },
  ])('data rejected: $label', ({ data, problem }) => {
    const result = check(fieldsXml({}, attachmentsXml([{ ext: 'txt', name: 'note.txt', data }])));

    expect(reasonOf(result)).toBe(`attachment 1 ("note.txt"): data is not valid base64: ${problem}`);
  });

  test('bad data names position', () => {
    const result = check(
      fieldsXml({}, attachmentsXml([{ ext: 'txt', name: 'a.txt', data: 'eA==' }, { ext: 'txt', data: 'e!==' }])),
    );

    expect(reasonOf(result)).toMatch(
      /^attachment 2 \("[0-9a-f]{16}\.txt"\): data is not valid base64: unexpected "!" at position 2$/,
    );
  });

  test('bad file rejects even when disabled', () => {
    const result = check(fieldsXml({}, attachmentsXml([{ ext: 'txt', name: 'a.txt', data: 'e' }])), {
      attachmentsEnabled: false,
    });

    expect(reasonOf(result)).toBe('attachment 1 ("a.txt"): data is not valid base64: length 1 is not a multiple of 4');
  });
});

describe('checkTicket attachment restrictions', () => {
  const threeFiles = attachmentsXml([
    { ext: 'pdf', name: 'a.pdf', data: base64Of('aaaa') },
    { ext: 'PNG', name: 'b.png', data: base64Of('bbbbb') },
    { ext: 'txt', name: 'c.txt', data: base64Of('cccccc') },
  ]);

  test('disabled attachments ignored with warning', () => {
    const result = accepted(check(fieldsXml({}, threeFiles), { attachmentsEnabled: false }));

    expect(result.attachments).toEqual([]);
    expect(result.warnings).toEqual([
      'attachment 1 (a.pdf) ignored: attachments are disabled',
      'attachment 2 (b.png) ignored: attachments are disabled',
      'attachment 3 (c.txt) ignored: attachments are disabled',
    ]);
  });

  test('extension not allowed ignored', () => {
    const result = accepted(check(fieldsXml({}, threeFiles), { attachmentAllowedExtensions: ['pdf', 'png'] }));

    expect(result.attachments.map((file) => file.fileName)).toEqual(['a.pdf', 'b.png']);
    expect(result.warnings).toEqual(['attachment 3 (c.txt) ignored: extension txt is not allowed']);
  });

  test('file over size limit ignored', () => {
    const result = accepted(check(fieldsXml({}, threeFiles), { attachmentMaxBytes: 5 }));

    expect(result.attachments.map((file) => file.fileName)).toEqual(['a.pdf', 'b.png']);
    expect(result.warnings).toEqual(['attachment 3 (c.txt) ignored: 6 bytes is over the limit of 5 bytes']);
  });

  test('files over count limit ignored', () => {
    const result = accepted(check(fieldsXml({}, threeFiles), { attachmentMaxFiles: 2 }));

    expect(result.attachments.map((file) => file.position)).toEqual([1, 2]);
    expect(result.warnings).toEqual(['attachment 3 (c.txt) ignored: at most 2 attachments are stored per ticket']);
  });

  test('ignored files not counted', () => {
    const result = accepted(
      check(fieldsXml({}, threeFiles), { attachmentMaxFiles: 1, attachmentAllowedExtensions: ['png', 'txt'] }),
    );

    expect(result.attachments.map((file) => file.fileName)).toEqual(['b.png']);
    expect(result.warnings).toEqual([
      'attachment 1 (a.pdf) ignored: extension pdf is not allowed',
      'attachment 3 (c.txt) ignored: at most 1 attachments are stored per ticket',
    ]);
  });

  test('zero files allowed keeps ticket', () => {
    const result = accepted(check(fieldsXml({}, threeFiles), { attachmentMaxFiles: 0 }));

    expect(result.attachments).toEqual([]);
    expect(result.fields.subject).toBe('Printer jam');
    expect(result.warnings).toHaveLength(3);
  });

  test('warnings follow field warnings', () => {
    const result = accepted(
      check(fieldsXml({}, `<customfields><x>1</x></customfields>${threeFiles}`), { attachmentMaxBytes: 4 }),
    );

    expect(result.warnings).toEqual([
      'customfields: <x> ignored: expected f followed by a field id, such as <f1>',
      'attachment 2 (b.png) ignored: 5 bytes is over the limit of 4 bytes',
      'attachment 3 (c.txt) ignored: 6 bytes is over the limit of 4 bytes',
    ]);
  });
});
