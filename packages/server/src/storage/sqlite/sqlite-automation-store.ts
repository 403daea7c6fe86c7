import type { Automation } from '@herald/core';
import type { AutomationRelation, AutomationStore } from '../ports.js';
import { automationMicros } from '../sql/automation-row.js';
import type { SqliteReader } from './sqlite-reader.js';
import type { SqliteWriter, WriterStatement } from './sqlite-writer.js';

const UPSERT_RELATION =
  'INSERT INTO automation_relations (automation_id, resource_id, owned) VALUES (?, ?, ?) ' +
  'ON CONFLICT (automation_id, resource_id) DO UPDATE SET owned = max(owned, excluded.owned)';

function relationStatements(id: string, relations: readonly AutomationRelation[]): WriterStatement[] {
  return relations.map((r) => ({ sql: UPSERT_RELATION, params: [id, r.resourceId, r.owned ? 1 : 0] }));
}

const parse = (json: string) => JSON.parse(json) as Automation;

/**
 * Automations in the `automations` and `automation_relations` tables. Reads use the main thread's read
 * connection; writes go through the writer worker, several statements in one of its transactions.
 *
 * @example
 * await storage.automations.insertAutomation(automation, [{ resourceId: 'acme.team.data', owned: true }]);
 * await storage.automations.automationsRelatedTo('acme.team.data'); // [automation]
 */
export class SqliteAutomationStore implements AutomationStore {
  constructor(
    private readonly reader: SqliteReader,
    private readonly writer: SqliteWriter,
  ) {}

  async insertAutomation(automation: Automation, relations: readonly AutomationRelation[]): Promise<void> {
    await this.writer.transaction([
      {
        sql: 'INSERT INTO automations (id, name, created, updated, enabled, tags, json) VALUES (?, ?, ?, ?, ?, ?, ?)',
        params: [
          automation.id,
          automation.name,
          automationMicros(automation.created),
          automationMicros(automation.updated),
          automation.enabled ? 1 : 0,
          JSON.stringify(automation.tags),
          JSON.stringify(automation),
        ],
      },
      ...relationStatements(automation.id, relations),
    ]);
  }

  async updateAutomation(automation: Automation): Promise<boolean> {
    const changed = await this.writer.run('UPDATE automations SET name = ?, updated = ?, enabled = ?, tags = ?, json = ? WHERE id = ?', [
      automation.name,
      automationMicros(automation.updated),
      automation.enabled ? 1 : 0,
      JSON.stringify(automation.tags),
      JSON.stringify(automation),
      automation.id,
    ]);
    return changed > 0;
  }

  async getAutomation(id: string): Promise<Automation | null> {
    const json = this.reader.prepare('SELECT json FROM automations WHERE id = ?').pluck().get(id) as string | undefined;
    return json === undefined ? null : parse(json);
  }

  async listAutomations(): Promise<Automation[]> {
    return (this.reader.prepare('SELECT json FROM automations ORDER BY created, id').pluck().all() as string[]).map(parse);
  }

  async countAutomations(): Promise<number> {
    return this.reader.prepare('SELECT count(*) FROM automations').pluck().get() as number;
  }

  async deleteAutomation(id: string): Promise<boolean> {
    const [, deleted] = await this.writer.transaction([
      { sql: 'DELETE FROM automation_relations WHERE automation_id = ?', params: [id] },
      { sql: 'DELETE FROM automations WHERE id = ?', params: [id] },
    ]);
    return (deleted as number) > 0;
  }

  async automationsRelatedTo(resourceId: string): Promise<Automation[]> {
    const sql =
      'SELECT a.json FROM automation_relations r JOIN automations a ON a.id = r.automation_id WHERE r.resource_id = ? ORDER BY r.rowid';
    return (this.reader.prepare(sql).pluck().all(resourceId) as string[]).map(parse);
  }

  async automationRelations(id: string): Promise<AutomationRelation[]> {
    const rows = this.reader
      .prepare('SELECT resource_id, owned FROM automation_relations WHERE automation_id = ? ORDER BY rowid')
      .raw()
      .all(id) as [string, number][];
    return rows.map(([resourceId, owned]) => ({ resourceId, owned: owned === 1 }));
  }

  async deleteAutomationsOwnedBy(resourceId: string, createdAtOrBefore: number): Promise<string[]> {
    const [deleted] = await this.writer.transaction([
      {
        sql:
          'DELETE FROM automations WHERE created <= ? AND id IN ' +
          '(SELECT automation_id FROM automation_relations WHERE resource_id = ? AND owned = 1) RETURNING id',
        params: [createdAtOrBefore, resourceId],
      },
      {
        sql: 'DELETE FROM automation_relations WHERE automation_id NOT IN (SELECT id FROM automations)',
        params: [],
      },
    ]);
    return (deleted as unknown[][]).map((row) => row[0] as string);
  }
}
