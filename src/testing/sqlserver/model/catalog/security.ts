/**
 * sys.symmetric_keys and sys.certificates of one database.
 */
import type { CatalogTable } from "../contract";
import type { ModelContext } from "../context";
import { parsedCertificate } from "../security";
import { date, T, table, type ColumnSpec } from "./columns";

const SYMMETRIC_KEYS: ColumnSpec[] = [
  ["name", T.sysname, false],
  ["principal_id", T.int],
  ["symmetric_key_id", T.int, false],
  ["key_length", T.int, false],
  ["key_algorithm", T.char(2), false],
  ["algorithm_desc", T.nvarchar(60)],
  ["create_date", T.datetime, false],
  ["modify_date", T.datetime, false],
  ["key_guid", T.guid],
  ["key_thumbprint", T.varbinary(32)],
  ["provider_type", T.nvarchar(60)],
  ["cryptographic_provider_guid", T.guid],
  ["cryptographic_provider_algid", { kind: "sql_variant" }],
];

export function symmetricKeysView(m: ModelContext, database: string, visible: boolean): CatalogTable {
  const key = visible ? m.state.security[database.toLowerCase()]?.masterKey : undefined;
  return table(
    SYMMETRIC_KEYS,
    key
      ? [
          {
            name: "##MS_DatabaseMasterKey##",
            principal_id: 1,
            symmetric_key_id: 101,
            key_length: 256,
            key_algorithm: "A3",
            algorithm_desc: "AES_256",
            create_date: date(key.createDate),
            modify_date: date(key.modifyDate),
            key_guid: key.guid,
          },
        ]
      : [],
  );
}

const CERTIFICATES: ColumnSpec[] = [
  ["name", T.sysname, false],
  ["certificate_id", T.int, false],
  ["principal_id", T.int],
  ["pvt_key_encryption_type", T.char(2), false],
  ["pvt_key_encryption_type_desc", T.nvarchar(60)],
  ["is_active_for_begin_dialog", T.bit],
  ["issuer_name", T.nvarchar(442)],
  ["cert_serial_number", T.nvarchar(64)],
  ["sid", T.varbinary(85)],
  ["string_sid", T.nvarchar(128)],
  ["subject", T.nvarchar(4000)],
  ["expiry_date", T.datetime],
  ["start_date", T.datetime],
  ["thumbprint", T.varbinary(32), false],
  ["attested_by", T.nvarchar(260)],
  ["pvt_key_last_backup_date", T.datetime],
  ["key_length", T.int],
];

const KEY_ENCRYPTION_DESC = {
  MK: "ENCRYPTED_BY_MASTER_KEY",
  PW: "ENCRYPTED_BY_PASSWORD",
  NA: "NO_PRIVATE_KEY",
} as const;

/** A certificate's security identifier: S-1-9-1 followed by its thumbprint as 32-bit sub-authorities. */
function certificateSid(thumbprint: Buffer): { sid: Buffer; stringSid: string } {
  const subAuthorities = Buffer.concat([Buffer.from([1, 0, 0, 0]), thumbprint]);
  const count = subAuthorities.length / 4;
  const sid = Buffer.concat([Buffer.from([1, count, 0, 0, 0, 0, 0, 9]), subAuthorities]);
  const parts: number[] = [];
  for (let i = 0; i < subAuthorities.length; i += 4) parts.push(subAuthorities.readUInt32LE(i));
  return { sid, stringSid: `S-1-9-${parts.join("-")}` };
}

export function certificatesView(m: ModelContext, database: string, visible: boolean): CatalogTable {
  const certs = visible ? (m.state.security[database.toLowerCase()]?.certificates ?? []) : [];
  return table(
    CERTIFICATES,
    certs.map((c) => {
      const p = parsedCertificate(c);
      const { sid, stringSid } = certificateSid(p.thumbprint);
      return {
        name: c.name,
        certificate_id: c.id,
        principal_id: 1,
        pvt_key_encryption_type: c.keyEncryption,
        pvt_key_encryption_type_desc: KEY_ENCRYPTION_DESC[c.keyEncryption],
        is_active_for_begin_dialog: c.keyEncryption !== "NA",
        issuer_name: p.issuerName,
        cert_serial_number: p.serialNumber,
        sid,
        string_sid: stringSid,
        subject: p.subject,
        expiry_date: p.notAfter,
        start_date: p.notBefore,
        thumbprint: p.thumbprint,
        key_length: p.keyLength,
      };
    }),
  );
}
