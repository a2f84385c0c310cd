import { QueryFailedError, type EntityManager, type EntityTarget, type ObjectLiteral } from 'typeorm';

const MAX_SORT_ORDER = 2_147_483_647;

/** Returns the sort order that puts a new row after every existing one. */
export async function nextSortOrder(manager: EntityManager, entity: EntityTarget<ObjectLiteral>): Promise<number> {
  const row = await manager
    .createQueryBuilder(entity, 'row')
    .select('MAX(row.sortOrder)', 'max')
    .getRawOne<{ max: number | string | null }>();
  const max = row?.max === null || row?.max === undefined ? 0 : Number(row.max);
  return Math.min(max + 1, MAX_SORT_ORDER);
}

/** Tells whether a query failed on a unique key (MySQL error 1062, ER_DUP_ENTRY). */
export function isDuplicateEntry(error: unknown): boolean {
  if (!(error instanceof QueryFailedError)) return false;
  const driverError = error.driverError as { code?: string } | undefined;
  return driverError?.code === 'ER_DUP_ENTRY';
}
