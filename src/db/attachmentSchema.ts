/**
 * Table types of a result's attachments (photos and scanned records). Same conventions as
 * schema.ts: instants are ISO-8601 UTC text. Used through `withTables` by
 * src/db/repositories/attachments.ts.
 */

/** One uploaded file of a visit's result; the bytes are kept in the attachments folder under `stored_name`. */
export interface ResultAttachmentTable {
  id: string;
  visit_id: string;
  /** The name the file was uploaded with (shown, never used as a path). */
  file_name: string;
  /** image/jpeg, image/png or application/pdf, as found in the content. */
  media_type: string;
  bytes: number;
  /** SHA-256 of the content, hex. */
  sha256: string;
  /** The file's name in the attachments folder: '<sha256>' (content-addressed). */
  stored_name: string;
  uploaded_by: string;
  uploaded_at: string;
}

export interface AttachmentDatabase {
  result_attachments: ResultAttachmentTable;
}
