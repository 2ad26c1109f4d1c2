/** Lexical tokens of a T-SQL batch. */

export type TokenKind =
  /** An unquoted identifier or keyword (`text` as written). */
  | "word"
  /** A `[bracketed]` or `"quoted"` identifier; `value` is unescaped. */
  | "quoted"
  /** A string literal; `value` is unescaped, `unicode` for N'...'. */
  | "string"
  | "number"
  /** 0x... literal. */
  | "binary"
  /** @name (value without the "@"). */
  | "variable"
  /** @@NAME (value upper-cased, without "@@"). */
  | "globalVariable"
  /** Operators and punctuation: ( ) , . ; = <> != < > <= >= + - * / % ~ & | ^ :: */
  | "symbol"
  | "eof";

export interface Token {
  kind: TokenKind;
  /** Source text exactly as written. */
  text: string;
  /** Decoded value for identifiers, strings and variables; upper-cased for words. */
  value: string;
  unicode?: boolean;
  binary?: Buffer;
  /** Offset in the batch text. */
  pos: number;
  /** 1-based line of the token. */
  line: number;
}

/**
 * SQL Server reserved keywords: a syntax error at one of these is error 156
 * ("near the keyword"), and they cannot be used as bare identifiers.
 */
export const RESERVED_KEYWORDS: ReadonlySet<string> = new Set(
  `ADD ALL ALTER AND ANY AS ASC AUTHORIZATION BACKUP BEGIN BETWEEN BREAK BROWSE BULK BY CASCADE CASE CHECK
  CHECKPOINT CLOSE CLUSTERED COALESCE COLLATE COLUMN COMMIT COMPUTE CONSTRAINT CONTAINS CONTAINSTABLE CONTINUE
  CONVERT CREATE CROSS CURRENT CURRENT_DATE CURRENT_TIME CURRENT_TIMESTAMP CURRENT_USER CURSOR DATABASE DBCC
  DEALLOCATE DECLARE DEFAULT DELETE DENY DESC DISK DISTINCT DISTRIBUTED DOUBLE DROP DUMP ELSE END ERRLVL ESCAPE
  EXCEPT EXEC EXECUTE EXISTS EXIT EXTERNAL FETCH FILE FILLFACTOR FOR FOREIGN FREETEXT FREETEXTTABLE FROM FULL
  FUNCTION GOTO GRANT GROUP HAVING HOLDLOCK IDENTITY IDENTITY_INSERT IDENTITYCOL IF IN INDEX INNER INSERT
  INTERSECT INTO IS JOIN KEY KILL LEFT LIKE LINENO LOAD MERGE NATIONAL NOCHECK NONCLUSTERED NOT NULL NULLIF OF
  OFF OFFSETS ON OPEN OPENDATASOURCE OPENQUERY OPENROWSET OPENXML OPTION OR ORDER OUTER OVER PERCENT PIVOT PLAN
  PRECISION PRIMARY PRINT PROC PROCEDURE PUBLIC RAISERROR READ READTEXT RECONFIGURE REFERENCES REPLICATION
  RESTORE RESTRICT RETURN REVERT REVOKE RIGHT ROLLBACK ROWCOUNT ROWGUIDCOL RULE SAVE SCHEMA SECURITYAUDIT SELECT
  SEMANTICKEYPHRASETABLE SEMANTICSIMILARITYDETAILSTABLE SEMANTICSIMILARITYTABLE SESSION_USER SET SETUSER
  SHUTDOWN SOME STATISTICS SYSTEM_USER TABLE TABLESAMPLE TEXTSIZE THEN TO TOP TRAN TRANSACTION TRIGGER TRUNCATE
  TRY_CONVERT TSEQUAL UNION UNIQUE UNPIVOT UPDATE UPDATETEXT USE USER VALUES VARYING VIEW WAITFOR WHEN WHERE
  WHILE WITH WITHIN WRITETEXT`
    .split(/\s+/)
    .filter((w) => w.length > 0),
);

export function isReserved(token: Token): boolean {
  return token.kind === "word" && RESERVED_KEYWORDS.has(token.value);
}
