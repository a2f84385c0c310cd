import type { DataSource } from 'typeorm';
import { CustomField, Department, Language, PriorityLevel, TicketStatus } from '../db/entities';
import { Catalog } from './catalog';

/** Loads the whole catalog from the database. */
export async function loadCatalog(dataSource: DataSource): Promise<Catalog> {
  const manager = dataSource.manager;
  const [departments, priorityLevels, statuses, languages, customFields] = await Promise.all([
    manager.find(Department),
    manager.find(PriorityLevel, { order: { sortOrder: 'ASC', id: 'ASC' } }),
    manager.find(TicketStatus, { order: { sortOrder: 'ASC', id: 'ASC' } }),
    manager.find(Language, { order: { sortOrder: 'ASC', id: 'ASC' } }),
    manager.find(CustomField, { relations: { departments: true } }),
  ]);
  return new Catalog({
    departments,
    priorityLevels,
    statuses,
    languages,
    customFields: customFields.map(({ departments: fieldDepartments, ...field }) => ({
      ...field,
      departmentIds: fieldDepartments.map((department) => department.id),
    })),
  });
}

/**
 * Keeps a catalog snapshot no older than `maxAgeMs`, so changes made with the admin
 * tool reach running workers within that time without a restart. Concurrent jobs share
 * one reload.
 */
export class CatalogCache {
  private current: Catalog | undefined;
  private loadedAt = 0;
  private loading: Promise<Catalog> | undefined;

  constructor(
    private readonly dataSource: DataSource,
    private readonly maxAgeMs: number,
  ) {}

  async get(): Promise<Catalog> {
    if (this.current && Date.now() - this.loadedAt < this.maxAgeMs) return this.current;
    this.loading ??= loadCatalog(this.dataSource)
      .then((catalog) => {
        this.current = catalog;
        this.loadedAt = Date.now();
        return catalog;
      })
      .finally(() => {
        this.loading = undefined;
      });
    return this.loading;
  }
}
