import type * as mssql from "mssql";
import { MASTER_KEY_QUERY } from "../../tsql/queries/master-key";
import { runQuery } from "../execute";
import { flag, number, optionalDate, optionalText, text, type Row } from "./values";

export interface MasterKeyInfo {
  /** "##MS_DatabaseMasterKey##" */
  name: string;
  keyLength: number;
  /** "AES_256" */
  algorithm: string | null;
  keyGuid: string | null;
  createDate: Date | null;
  modifyDate: Date | null;
  /** The service master key opens it (needed for certificates encrypted by the master key). */
  encryptedByServer: boolean;
}

/** Reads the database master key of master; null when there is none. */
export async function readMasterKey(pool: mssql.ConnectionPool): Promise<MasterKeyInfo | null> {
  const rows = await runQuery(
    pool,
    MASTER_KEY_QUERY,
    {},
    { action: "read the database master key of master" },
  );
  return parseMasterKey(rows);
}

/** The key from the rows of `MASTER_KEY_QUERY` (as sent with a statement); null when there is none. */
export function parseMasterKey(rows: readonly Row[]): MasterKeyInfo | null {
  const [row] = rows;
  if (!row) return null;
  return {
    name: text(row, "name"),
    keyLength: number(row, "key_length"),
    algorithm: optionalText(row, "algorithm_desc"),
    keyGuid: optionalText(row, "key_guid"),
    createDate: optionalDate(row, "create_date"),
    modifyDate: optionalDate(row, "modify_date"),
    encryptedByServer: flag(row, "is_encrypted_by_server"),
  };
}
