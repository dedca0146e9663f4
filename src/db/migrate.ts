import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Migrator, SqliteAdapter, type Kysely, type Migration, type MigrationProvider, type MigrationResultSet } from 'kysely';

/**
 * migrations/ beside src/: the sources' (src/db/migrate.ts → migrations/*.ts) or, in the compiled
 * service, the compiled ones (dist/src/db/migrate.js → dist/migrations/*.js). A migration's name
 * has no extension, so both record the same names.
 */
export const migrationsFolder = fileURLToPath(new URL('../../migrations/', import.meta.url));
const migrationExtension = import.meta.url.endsWith('.js') ? '.js' : '.ts';

/** Loads `migrations/<timestamp>_<name>.ts` (or .js, compiled) in name order (one set for both dialects). */
class FolderMigrationProvider implements MigrationProvider {
  async getMigrations(): Promise<Record<string, Migration>> {
    const files = (await fs.readdir(migrationsFolder)).filter((f) => /^\d{14}_[\w-]+\.[jt]s$/.test(f) && f.endsWith(migrationExtension)).sort();
    const out: Record<string, Migration> = {};
    for (const f of files) {
      out[f.slice(0, -migrationExtension.length)] = (await import(pathToFileURL(path.join(migrationsFolder, f)).href)) as Migration;
    }
    return out;
  }
}

export function isSqlite(db: Kysely<any>): boolean {
  return db.getExecutor().adapter instanceof SqliteAdapter;
}

export async function migrateToLatest(db: Kysely<any>): Promise<MigrationResultSet> {
  // Migrations see the stored text of JSON columns, as they were written when the migration was.
  const migrator = new Migrator({ db: db.withoutPlugins(), provider: new FolderMigrationProvider() });
  const result = await migrator.migrateToLatest();
  if (result.error) {
    const failed = result.results?.find((r) => r.status === 'Error')?.migrationName ?? '?';
    throw new Error(`数据库迁移失败 (MIGRATION_FAILED)：${failed}：${String((result.error as Error).message ?? result.error)}`);
  }
  return result;
}
