import { post, type ApiResponse } from './http';
import { TEST_API_KEY } from './stack';

/** Builds a request document with one ticket per subject, all from `email`. */
export function ticketDocument(subjects: string[], email = 'load@example.com'): string {
  const tickets = subjects.map(
    (subject) => `    <ticket>
      <name>Load Example</name>
      <email>${email}</email>
      <dept>1</dept>
      <subject>${subject}</subject>
      <comments>Sent by a bounded load test.</comments>
    </ticket>`,
  );
  return `<?xml version="1.0" encoding="utf-8"?>
<msapi>
  <api>${TEST_API_KEY}</api>
  <tickets>
${tickets.join('\n')}
  </tickets>
</msapi>
`;
}

export interface LoadAnswer {
  subjects: string[];
  response?: ApiResponse;
  error?: Error;
}

/**
 * Sends every document once with at most `inFlight` requests open, calling `onAnswer`
 * after each response. A failed connection is recorded as an error, not thrown.
 */
export async function sendAll(
  url: string,
  documents: { subjects: string[]; body: string }[],
  inFlight: number,
  onAnswer: (done: number) => Promise<void> | void = () => undefined,
): Promise<LoadAnswer[]> {
  const answers: LoadAnswer[] = [];
  let next = 0;

  async function client(): Promise<void> {
    while (next < documents.length) {
      const document = documents[next++]!;
      try {
        answers.push({ subjects: document.subjects, response: await post(url, document.body) });
      } catch (error) {
        answers.push({ subjects: document.subjects, error: error as Error });
      }
      await onAnswer(answers.length);
    }
  }
  await Promise.all(Array.from({ length: inFlight }, client));
  return answers;
}

/** Pairs each ticket subject with the result its request reported. */
export function ticketResults(answers: LoadAnswer[]): { subject: string; status: string; ticketId?: number }[] {
  return answers.flatMap((answer) =>
    answer.subjects.map((subject, i) => {
      const result = answer.response?.results[i];
      return { subject, status: result?.status ?? 'NO ANSWER', ticketId: result?.ticketId };
    }),
  );
}
