import fs from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Migrator, SqliteAdapter, type Kysely, type Migration, type MigrationProvider, type MigrationResultSet } from 'kysely';
import { projectRoot } from '../config.ts';

export const migrationsFolder = path.join(projectRoot, 'migrations');

/** Loads `migrations/<timestamp>_<name>.ts` in name order (one set for both dialects). */
class FolderMigrationProvider implements MigrationProvider {
  async getMigrations(): Promise<Record<string, Migration>> {
    const files = (await fs.readdir(migrationsFolder)).filter((f) => /^\d{14}_[\w-]+\.ts$/.test(f)).sort();
    const out: Record<string, Migration> = {};
    for (const f of files) {
      out[f.replace(/\.ts$/, '')] = (await import(pathToFileURL(path.join(migrationsFolder, f)).href)) as Migration;
    }
    return out;
  }
}

export function isSqlite(db: Kysely<any>): boolean {
  return db.getExecutor().adapter instanceof SqliteAdapter;
}

export async function migrateToLatest(db: Kysely<any>): Promise<MigrationResultSet> {
  const migrator = new Migrator({ db, provider: new FolderMigrationProvider() });
  const result = await migrator.migrateToLatest();
  if (result.error) {
    const failed = result.results?.find((r) => r.status === 'Error')?.migrationName ?? '?';
    throw new Error(`数据库迁移失败 (MIGRATION_FAILED)：${failed}：${String((result.error as Error).message ?? result.error)}`);
  }
  return result;
}
