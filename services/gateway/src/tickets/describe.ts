const SHOWN_CHARACTERS = 60;

/** Quotes a client value for a reason or warning, shortening long values. */
export function quote(value: string): string {
  const characters = [...value];
  const shown = characters.length > SHOWN_CHARACTERS ? `${characters.slice(0, SHOWN_CHARACTERS).join('')}…` : value;
  return JSON.stringify(shown);
}

export function characterCount(value: string): number {
  let count = 0;
  for (const _ of value) count++;
  return count;
}
