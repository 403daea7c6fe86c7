import type { Automation } from '@herald/core';
import type { AutomationRelation, AutomationStore } from '../ports.js';
import { automationMicros } from '../sql/automation-row.js';
import type { PostgresDatabase } from './postgres-database.js';

const UPSERT_RELATION =
  'INSERT INTO automation_relations (automation_id, resource_id, owned) VALUES ($1, $2, $3) ' +
  'ON CONFLICT (automation_id, resource_id) DO UPDATE SET owned = automation_relations.owned OR excluded.owned';

const parse = (row: { json: string }) => JSON.parse(row.json) as Automation;

/**
 * Automations in the `automations` and `automation_relations` tables. Relations go with their
 * automation (`ON DELETE CASCADE`).
 *
 * @example
 * const automations = new PostgresAutomationStore(db);
 * await automations.insertAutomation(automation, []);
 */
export class PostgresAutomationStore implements AutomationStore {
  constructor(private readonly db: PostgresDatabase) {}

  async insertAutomation(automation: Automation, relations: readonly AutomationRelation[]): Promise<void> {
    await this.db.transaction(async (client) => {
      await client.query('INSERT INTO automations (id, name, created, updated, enabled, tags, json) VALUES ($1, $2, $3, $4, $5, $6, $7)', [
        automation.id,
        automation.name,
        automationMicros(automation.created),
        automationMicros(automation.updated),
        automation.enabled,
        JSON.stringify(automation.tags),
        JSON.stringify(automation),
      ]);
      for (const relation of relations) await client.query(UPSERT_RELATION, [automation.id, relation.resourceId, relation.owned]);
    });
  }

  async updateAutomation(automation: Automation): Promise<boolean> {
    const { rowCount } = await this.db.query(
      'UPDATE automations SET name = $2, updated = $3, enabled = $4, tags = $5, json = $6 WHERE id = $1',
      [
        automation.id,
        automation.name,
        automationMicros(automation.updated),
        automation.enabled,
        JSON.stringify(automation.tags),
        JSON.stringify(automation),
      ],
    );
    return (rowCount ?? 0) > 0;
  }

  async getAutomation(id: string): Promise<Automation | null> {
    const { rows } = await this.db.query<{ json: string }>('SELECT json FROM automations WHERE id = $1', [id]);
    return rows[0] ? parse(rows[0]) : null;
  }

  async listAutomations(): Promise<Automation[]> {
    const { rows } = await this.db.query<{ json: string }>('SELECT json FROM automations ORDER BY created, id');
    return rows.map(parse);
  }

  async countAutomations(): Promise<number> {
    const { rows } = await this.db.query<{ n: number }>('SELECT count(*)::int8 AS n FROM automations');
    return rows[0]!.n;
  }

  async deleteAutomation(id: string): Promise<boolean> {
    const { rowCount } = await this.db.query('DELETE FROM automations WHERE id = $1', [id]);
    return (rowCount ?? 0) > 0;
  }

  async automationsRelatedTo(resourceId: string): Promise<Automation[]> {
    const { rows } = await this.db.query<{ json: string }>(
      'SELECT a.json FROM automation_relations r JOIN automations a ON a.id = r.automation_id WHERE r.resource_id = $1 ORDER BY r.seq',
      [resourceId],
    );
    return rows.map(parse);
  }

  async automationRelations(id: string): Promise<AutomationRelation[]> {
    const { rows } = await this.db.query<{ resource_id: string; owned: boolean }>(
      'SELECT resource_id, owned FROM automation_relations WHERE automation_id = $1 ORDER BY seq',
      [id],
    );
    return rows.map((row) => ({ resourceId: row.resource_id, owned: row.owned }));
  }

  async deleteAutomationsOwnedBy(resourceId: string, createdAtOrBefore: number): Promise<string[]> {
    const { rows } = await this.db.query<{ id: string }>(
      'DELETE FROM automations WHERE created <= $2 AND id IN ' +
        '(SELECT automation_id FROM automation_relations WHERE resource_id = $1 AND owned) RETURNING id',
      [resourceId, createdAtOrBefore],
    );
    return rows.map((row) => row.id);
  }
}
