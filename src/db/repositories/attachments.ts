/** Queries of a result's attachments (table result_attachments, src/db/attachmentSchema.ts). */
import type { Insertable, Selectable } from 'kysely';
import type { AttachmentDatabase, ResultAttachmentTable } from '../attachmentSchema.ts';
import type { Executor } from '../connection.ts';
import { assertTransaction } from '../tx.ts';

export type AttachmentRow = Selectable<ResultAttachmentTable>;

type Tables = { [K in keyof AttachmentDatabase]: AttachmentDatabase[K] };
const q = (db: Executor) => db.withTables<Tables>();

export async function attachmentsOf(db: Executor, visitId: string): Promise<AttachmentRow[]> {
  return q(db).selectFrom('result_attachments').selectAll().where('visit_id', '=', visitId).orderBy('uploaded_at').orderBy('id').execute();
}

export async function findAttachment(db: Executor, visitId: string, id: string): Promise<AttachmentRow | undefined> {
  return q(db).selectFrom('result_attachments').selectAll().where('visit_id', '=', visitId).where('id', '=', id).executeTakeFirst();
}

export async function countAttachments(db: Executor, visitId: string): Promise<number> {
  const r = await q(db).selectFrom('result_attachments').select((eb) => eb.fn.countAll<number>().as('n')).where('visit_id', '=', visitId).executeTakeFirstOrThrow();
  return Number(r.n);
}

/** How many attachments (of any visit) keep their bytes under this stored name. */
export async function countStored(db: Executor, storedName: string): Promise<number> {
  const r = await q(db).selectFrom('result_attachments').select((eb) => eb.fn.countAll<number>().as('n')).where('stored_name', '=', storedName).executeTakeFirstOrThrow();
  return Number(r.n);
}

export async function insertAttachment(db: Executor, row: Insertable<ResultAttachmentTable>): Promise<void> {
  assertTransaction(db, 'insertAttachment');
  await q(db).insertInto('result_attachments').values(row).execute();
}
