import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createHarness, errors, infos, records, resultSets, type Harness } from "./fixtures/harness";

let h: Harness;
beforeEach(() => {
  h = createHarness({ databases: [{ name: "SalesDb" }, { name: "HrDb", recoveryModel: "SIMPLE" }] });
});
afterEach(() => h.dispose());

describe("variables and control flow", () => {
  it("declares several variables, concatenates, and propagates NULL", async () => {
    const events = await h.run(
      "DECLARE @a nvarchar(max) = N'x', @b AS int = 40, @n nvarchar(10)\nSELECT @a + N'y' AS s, @b + 2 AS n, @a + @n AS z",
    );
    expect(records(resultSets(events)[0])).toEqual([{ s: "xy", n: 42, z: null }]);
  });

  it("runs IF NOT EXISTS ... ELSE over a catalog view", async () => {
    const script =
      "IF NOT EXISTS (SELECT * FROM sys.databases WHERE name = N'SalesDb') PRINT 'missing' ELSE PRINT 'present'";
    expect(infos(await h.run(script)).map((m) => m.message)).toEqual(["present"]);
    const other =
      "IF EXISTS (SELECT 1 FROM sys.databases WHERE name = 'nope') BEGIN PRINT 'a' PRINT 'b' END ELSE BEGIN PRINT 'c' END";
    expect(infos(await h.run(other)).map((m) => m.message)).toEqual(["c"]);
  });

  it("assigns with SELECT @v = ... FROM and keeps the last row", async () => {
    const events = await h.run(
      "DECLARE @id int, @n int = 0\nSELECT @id = database_id FROM sys.databases WHERE name = 'SalesDb'\nSELECT @n = COUNT(*) FROM sys.databases\nSELECT @id AS id, @n AS n",
    );
    const [row] = records(resultSets(events)[0]);
    expect(row.id).toBe(h.model.databaseId("SalesDb"));
    expect(row.n).toBeGreaterThanOrEqual(6);
  });

  it("runs dynamic SQL with sp_executesql (named, positional, parameters) and EXEC (@v)", async () => {
    const events = await h.run(
      [
        "DECLARE @sql nvarchar(max) = N'SELECT @p + 1 AS v'",
        "EXEC sp_executesql @stmt = @sql, @params = N'@p int', @p = 41",
        "EXEC sp_executesql N'PRINT @s', N'@s nvarchar(20)', N'hello'",
        "DECLARE @cmd nvarchar(100) = N'CREATE DATABASE [Dyn''Db]'",
        "EXEC (@cmd)",
        "SELECT name FROM sys.databases WHERE name LIKE 'Dyn%'",
      ].join("\n"),
    );
    expect(errors(events)).toEqual([]);
    const sets = resultSets(events);
    expect(sets[0].rows).toEqual([[42]]);
    expect(infos(events).map((m) => m.message)).toContain("hello");
    expect(sets[1].rows).toEqual([["Dyn'Db"]]);
  });

  it("knows a variable declared in a branch that did not run (NULL)", async () => {
    const [set] = resultSets(await h.run("IF 1 = 0 BEGIN DECLARE @x int = 5 END\nSELECT @x AS x"));
    expect(set.rows).toEqual([[null]]);
  });

  it("keeps USE and SET options of dynamic SQL inside its scope", async () => {
    const events = await h.run(
      "EXEC (N'USE SalesDb SET NOCOUNT ON SELECT DB_NAME() AS inner_db')\nSELECT DB_NAME() AS outer_db",
    );
    expect(resultSets(events).map((r) => r.rows[0][0])).toEqual(["SalesDb", "master"]);
    expect(events.filter((e) => e.kind === "database")).toEqual([
      { kind: "database", oldValue: "master", newValue: "SalesDb" },
      { kind: "database", oldValue: "SalesDb", newValue: "master" },
    ]);
    expect(events.at(-1)).toEqual({ kind: "done", rowCount: 1 });
    expect(h.session.database).toBe("master");
  });

  it("loops with WHILE, BREAK and CONTINUE", async () => {
    const events = await h.run(
      "DECLARE @i int = 0\nWHILE @i < 10\nBEGIN\n  SET @i = @i + 1\n  IF @i = 2 CONTINUE\n  IF @i > 4 BREAK\n  PRINT CAST(@i AS nvarchar(5))\nEND\nPRINT 'done ' + CAST(@i AS nvarchar(5))",
    );
    expect(infos(events).map((m) => m.message)).toEqual(["1", "3", "4", "done 5"]);
    expect(errors(await h.run("BREAK"))[0].number).toBe(135);
  });

  it("refuses unknown functions and wrong argument counts before running anything", async () => {
    const unknown = await h.run("PRINT 'first'\nSELECT NO_SUCH_FUNCTION(1)");
    expect(infos(unknown)).toEqual([]);
    expect(errors(unknown)[0]).toMatchObject({
      number: 195,
      message: "'NO_SUCH_FUNCTION' is not a recognized built-in function name.",
    });
    expect(errors(await h.run("SELECT QUOTENAME()"))[0].number).toBe(174);
  });

  it("a compile error inside dynamic SQL fails only the EXEC", async () => {
    const events = await h.run(
      "EXEC (N'SELECT @nope')\nEXEC sp_executesql N'SELECT * FROM sys.nope'\nPRINT 'still running'",
    );
    expect(errors(events).map((m) => m.number)).toEqual([137, 208]);
    expect(infos(events).map((m) => m.message)).toEqual(["still running"]);
  });

  it("refuses an undeclared variable before running anything (137)", async () => {
    const events = await h.run("PRINT 'first'\nSELECT @missing");
    expect(infos(events)).toEqual([]);
    expect(errors(events)[0]).toMatchObject({
      number: 137,
      message: 'Must declare the scalar variable "@missing".',
    });
  });

  it("a syntax error anywhere means nothing in the batch runs", async () => {
    const events = await h.run("CREATE DATABASE Early\nSELEC 1");
    expect(errors(events)[0]).toMatchObject({ number: 102, severity: 15 });
    expect(h.model.databaseId("Early")).toBeNull();
  });

  it("continues after a statement error, and emits one done per statement", async () => {
    const events = await h.run("CREATE DATABASE SalesDb\nPRINT 'after'\nSELECT 1 AS one");
    expect(errors(events)[0].number).toBe(1801);
    expect(infos(events).map((m) => m.message)).toEqual(["after"]);
    expect(events.filter((e) => e.kind === "done")).toEqual([
      { kind: "done", error: true },
      { kind: "done" },
      { kind: "done", rowCount: 1 },
    ]);
  });

  it("an unknown object ends the batch (208)", async () => {
    const events = await h.run("SELECT * FROM sys.nothing_here\nPRINT 'not reached'");
    expect(errors(events)[0]).toMatchObject({
      number: 208,
      message: "Invalid object name 'sys.nothing_here'.",
    });
    expect(infos(events)).toEqual([]);
  });

  it("reports unknown columns with 207", async () => {
    const events = await h.run("SELECT no_such_column FROM sys.databases");
    expect(errors(events)[0]).toMatchObject({
      number: 207,
      message: "Invalid column name 'no_such_column'.",
    });
  });

  it("RAISERROR formats its message; severity 10 is informational", async () => {
    const events = await h.run("RAISERROR('%s has %d rows', 16, 1, N'tbl', 5)\nRAISERROR('note', 10, 1)");
    expect(errors(events)[0]).toMatchObject({ number: 50000, severity: 16, message: "tbl has 5 rows" });
    expect(infos(events)[0]).toMatchObject({ message: "note", severity: 10 });
  });

  it("THROW ends the batch", async () => {
    const events = await h.run("THROW 50001, 'boom', 3;\nPRINT 'no'");
    expect(errors(events)[0]).toMatchObject({ number: 50001, state: 3, message: "boom" });
    expect(infos(events)).toEqual([]);
  });
});

describe("TRY ... CATCH", () => {
  it("hands a statement error to CATCH instead of the client", async () => {
    const events = await h.run(
      [
        "BEGIN TRY",
        "  PRINT 'before'",
        "  CREATE DATABASE SalesDb",
        "  PRINT 'skipped'",
        "END TRY",
        "BEGIN CATCH",
        "  SELECT ERROR_NUMBER() AS n, ERROR_SEVERITY() AS s, ERROR_LINE() AS l, ERROR_MESSAGE() AS m",
        "END CATCH",
        "PRINT 'after'",
      ].join("\n"),
    );
    expect(errors(events)).toEqual([]);
    expect(infos(events).map((m) => m.message)).toEqual(["before", "after"]);
    const [row] = records(resultSets(events)[0]);
    expect(row).toMatchObject({ n: 1801, s: 16, l: 3 });
    expect(row.m).toContain("SalesDb");
  });

  it("re-raises with THROW; and then ends the batch", async () => {
    const events = await h.run(
      "BEGIN TRY\n  RAISERROR('inner %d', 16, 2, 7)\nEND TRY\nBEGIN CATCH\n  PRINT 'handling'\n  THROW;\nEND CATCH\nPRINT 'not reached'",
    );
    expect(infos(events).map((m) => m.message)).toEqual(["handling"]);
    expect(errors(events)).toMatchObject([{ number: 50000, state: 2, message: "inner 7" }]);
  });

  it("catches errors of dynamic SQL, but not name resolution errors of its own scope", async () => {
    const dynamic = await h.run(
      "BEGIN TRY EXEC (N'SELEC 1') END TRY BEGIN CATCH PRINT 'caught ' + CAST(ERROR_NUMBER() AS nvarchar(10)) END CATCH",
    );
    expect(infos(dynamic).map((m) => m.message)).toEqual(["caught 102"]);
    const missing = await h.run(
      "BEGIN TRY EXEC (N'SELECT * FROM sys.nope') END TRY BEGIN CATCH PRINT 'caught ' + CAST(ERROR_NUMBER() AS nvarchar(10)) END CATCH",
    );
    expect(infos(missing).map((m) => m.message)).toEqual(["caught 208"]);
    const sameScope = await h.run(
      "BEGIN TRY SELECT * FROM sys.nope END TRY BEGIN CATCH PRINT 'caught' END CATCH",
    );
    expect(errors(sameScope)[0].number).toBe(208);
    expect(infos(sameScope)).toEqual([]);
  });

  it("THROW without arguments outside CATCH is error 10704", async () => {
    expect(errors(await h.run("THROW;"))[0].number).toBe(10704);
  });
});

describe("non-Unicode text", () => {
  it("stores varchar and '...' literals in code page 1252, with best-fit quote look-alikes", async () => {
    const [set] = resultSets(
      await h.run(
        "DECLARE @v varchar(20) = N'a\u02BCb\u4E2D'\nSELECT @v, 'c\u02BCd', N'e\u02BCf', CAST(N'\uFF3Dx' AS varchar(5)), 'caf\u00E9 \u2019'",
      ),
    );
    expect(set.rows).toEqual([["a'b?", "c'd", "e\u02BCf", "]x", "caf\u00E9 \u2019"]]);
  });

  it("turns an escaped look-alike into a live quote when dynamic SQL is built in varchar", async () => {
    const build = (type: string) =>
      `DECLARE @name nvarchar(128) = N'x\u02BC PRINT 1--'\n` +
      `DECLARE @sql ${type}(max) = N'PRINT N''' + REPLACE(@name, N'''', N'''''') + N''''\nEXEC (@sql)`;
    const unicode = await h.run(build("nvarchar"));
    expect(errors(unicode)).toEqual([]);
    expect(infos(unicode).map((m) => m.message)).toEqual(["x\u02BC PRINT 1--"]);
    const ansi = await h.run(build("varchar"));
    // The look-alike became a quote that the escaping never saw: the rest of the name ran as code.
    expect(infos(ansi).map((m) => m.message)).toEqual(["x", "1"]);
  });
});

describe("session statements", () => {
  it("USE changes the database with ENVCHANGE and 5701", async () => {
    const events = await h.run("USE [SalesDb]\nSELECT DB_NAME() AS db");
    expect(events[0]).toEqual({ kind: "database", oldValue: "master", newValue: "SalesDb" });
    expect(infos(events)[0]).toMatchObject({
      number: 5701,
      severity: 0,
      message: "Changed database context to 'SalesDb'.",
    });
    expect(resultSets(events)[0].rows).toEqual([["SalesDb"]]);
    expect(h.session.database).toBe("SalesDb");
  });

  it("USE of a missing database fails with 911 and keeps the context", async () => {
    const events = await h.run("USE nowhere");
    expect(errors(events)[0].number).toBe(911);
    expect(h.session.database).toBe("master");
  });

  it("accepts the driver's post-login SET batch and honours NOCOUNT", async () => {
    const login = await h.run(
      "set textsize 2147483647\nset quoted_identifier on\nset arithabort on\nset ansi_null_dflt_on on\nset ansi_nulls on\nset ansi_padding on\nset ansi_warnings on\nset concat_null_yields_null on\nset cursor_close_on_commit off\nset datefirst 7\nset dateformat mdy\nset implicit_transactions off\nset language us_english\nset numeric_roundabort off\nset transaction isolation level read committed\nset xact_abort off",
    );
    expect(errors(login)).toEqual([]);
    const events = await h.run("SET NOCOUNT ON\nSELECT 1 AS a");
    expect(events.at(-1)).toEqual({ kind: "done" });
  });
});

describe("transactions", () => {
  it("counts @@TRANCOUNT and refuses forbidden statements inside a transaction", async () => {
    const events = await h.run(
      [
        "BEGIN TRAN",
        "CREATE DATABASE InTran",
        "ALTER DATABASE SalesDb SET RECOVERY SIMPLE",
        "DROP DATABASE HrDb",
        "BACKUP DATABASE SalesDb TO DISK = N'/tmp/x.bak'",
        "CREATE ENDPOINT ep AS TCP (LISTENER_PORT = 5022) FOR DATABASE_MIRRORING (ROLE = ALL)",
        "DROP AVAILABILITY GROUP ag",
        "SELECT @@TRANCOUNT AS n",
        "COMMIT",
        "SELECT @@TRANCOUNT AS n",
      ].join("\n"),
    );
    expect(errors(events).map((m) => m.number)).toEqual([226, 226, 574, 3021, 3013, 574, 574]);
    expect(errors(events)[4].message).toBe("BACKUP DATABASE is terminating abnormally.");
    expect(resultSets(events).map((r) => r.rows[0][0])).toEqual([1, 0]);
    expect(h.model.databaseId("InTran")).toBeNull();
  });

  it("COMMIT without BEGIN is error 3902; XACT_ABORT ends the batch and rolls back", async () => {
    expect(errors(await h.run("COMMIT"))[0].number).toBe(3902);
    const events = await h.run("SET XACT_ABORT ON\nBEGIN TRANSACTION\nCREATE DATABASE SalesDb\nPRINT 'no'");
    expect(infos(events)).toEqual([]);
    expect(h.session.tranCount).toBe(0);
  });
});

describe("SELECT", () => {
  it("filters with LIKE, IN, IS NULL, orders, limits with TOP", async () => {
    const [set] = resultSets(
      await h.run(
        "SELECT TOP 2 name, database_id AS id FROM sys.databases WHERE name LIKE '%db' AND name IN ('SalesDb', 'HrDb', 'msdb') AND name IS NOT NULL ORDER BY name DESC",
      ),
    );
    expect(set.columns.map((c) => c.name)).toEqual(["name", "id"]);
    expect(set.rows.map((r) => r[0])).toEqual(["SalesDb", "msdb"]);
  });

  it("supports aliases in every form and expressions without FROM", async () => {
    const [set] = resultSets(
      await h.run(
        "SELECT 1 AS 'a', 2 AS [b c], d = 3, 4 e, UPPER('x') + LOWER('Y'), QUOTENAME(N'a]b'), CAST('12' AS int) * 2",
      ),
    );
    expect(set.columns.map((c) => c.name)).toEqual(["a", "b c", "d", "e", "", "", ""]);
    expect(set.rows).toEqual([[1, 2, 3, 4, "Xy", "[a]]b]", 24]]);
  });

  it("joins, qualifies columns, expands t.*, and counts", async () => {
    const events = await h.run(
      "SELECT d.name, r.recovery_model_desc FROM sys.databases d JOIN sys.databases r ON d.database_id = r.database_id WHERE d.name = 'HrDb'\n" +
        "SELECT d.* FROM sys.databases AS d WHERE d.name = 'HrDb'\n" +
        "SELECT COUNT(*) AS n, MAX(database_id) AS top_id FROM sys.databases WHERE name LIKE 'S_lesD%'",
    );
    const [joined, star, counted] = resultSets(events);
    expect(joined.rows).toEqual([["HrDb", "SIMPLE"]]);
    expect(star.columns.length).toBeGreaterThan(3);
    expect(records(counted)).toEqual([{ n: 1, top_id: h.model.databaseId("SalesDb") }]);
  });

  it("groups with GROUP BY and filters groups with HAVING", async () => {
    const [set] = resultSets(
      await h.run(
        "SELECT recovery_model_desc AS model, COUNT(*) AS n FROM sys.databases WHERE database_id > 4 GROUP BY recovery_model_desc HAVING COUNT(*) >= 1 ORDER BY model",
      ),
    );
    expect(set.rows).toEqual([
      ["FULL", 1],
      ["SIMPLE", 1],
    ]);
    const [none] = resultSets(
      await h.run("SELECT name, COUNT(*) FROM sys.databases WHERE 1 = 0 GROUP BY name"),
    );
    expect(none.rows).toEqual([]);
  });

  it("filters with IN (SELECT ...) and NOT IN", async () => {
    const [set] = resultSets(
      await h.run(
        "SELECT name FROM sys.databases WHERE database_id IN (SELECT database_id FROM sys.databases WHERE name LIKE 'S%') AND name NOT IN ('nothing') ORDER BY name",
      ),
    );
    expect(set.rows).toEqual([["SalesDb"]]);
  });

  it("compares strings case-insensitively and evaluates CASE and COALESCE", async () => {
    const [set] = resultSets(
      await h.run(
        "SELECT CASE WHEN 'ABC' = 'abc ' THEN 'eq' ELSE 'ne' END, COALESCE(NULL, NULL, 'z'), ISNULL(NULL, 5), LEN(N'ab  ')",
      ),
    );
    expect(set.rows).toEqual([["eq", "z", 5, 2]]);
  });

  it("reads @@ variables and server functions from the model", async () => {
    const [set] = resultSets(
      await h.run(
        "SELECT @@SERVERNAME AS s, SERVERPROPERTY('ProductVersion') AS v, @@SPID AS spid, DB_ID('master') AS m",
      ),
    );
    expect(records(set)).toEqual([
      { s: h.model.serverName(), v: h.model.serverProperty("ProductVersion"), spid: h.session.id, m: 1 },
    ]);
    expect(set.columns[0].type).toEqual({ kind: "nvarchar", length: 128 });
  });

  it("computes dates with DATEADD, DATEDIFF and DATEPART, and chooses with IIF", async () => {
    const [set] = resultSets(
      await h.run(
        "DECLARE @d datetime = '2025-01-31T10:30:00'\n" +
          "SELECT DATEADD(day, 1, @d), DATEADD(month, 1, @d), DATEDIFF(hour, @d, DATEADD(mi, 90, @d)), " +
          "DATEDIFF(year, '20241231', '20250101'), DATEPART(hh, @d), DATEPART(year, @d), IIF(1 > 2, 'a', 'b')",
      ),
    );
    expect(set.rows[0]).toEqual([
      new Date(Date.UTC(2025, 1, 1, 10, 30)),
      new Date(Date.UTC(2025, 1, 28, 10, 30)),
      2,
      1,
      10,
      2025,
      "b",
    ]);
    expect(set.columns[0].type).toEqual({ kind: "datetime" });
  });

  it("converts binary to hex text with CONVERT style 1", async () => {
    const [set] = resultSets(await h.run("SELECT CONVERT(varchar(max), 0x0A0B, 1)"));
    expect(set.rows).toEqual([["0x0A0B"]]);
  });
});

describe("RPC", () => {
  it("runs sp_executesql with typed parameters and returns a status", async () => {
    const events = await h.engine.executeRpc(h.session, "sp_executesql", [
      {
        name: "",
        type: { kind: "nvarchar", length: "max" },
        value: "SELECT name FROM sys.databases WHERE name = @db",
        output: false,
      },
      { name: "", type: { kind: "nvarchar", length: "max" }, value: "@db nvarchar(128)", output: false },
      { name: "@db", type: { kind: "nvarchar", length: 128 }, value: "SalesDb", output: false },
    ]);
    expect(resultSets(events)[0].rows).toEqual([["SalesDb"]]);
    expect(events.at(-1)).toEqual({ kind: "returnStatus", value: 0 });
  });

  it("reports a missing parameter and unknown procedures", async () => {
    const missing = await h.engine.executeRpc(h.session, "sp_executesql", [
      { name: "", type: { kind: "nvarchar", length: "max" }, value: "SELECT @a", output: false },
      { name: "", type: { kind: "nvarchar", length: "max" }, value: "@a int", output: false },
    ]);
    expect(errors(missing)[0].number).toBe(8178);
    const unknown = await h.engine.executeRpc(h.session, "sp_does_not_exist", []);
    expect(errors(unknown)[0].number).toBe(2812);
  });
});

describe("cancellation", () => {
  it("WAITFOR DELAY waits, and an ATTENTION cuts it short", async () => {
    const started = Date.now();
    await h.run("WAITFOR DELAY '00:00:00.100'");
    expect(Date.now() - started).toBeGreaterThanOrEqual(90);

    const pending = h.run("WAITFOR DELAY '00:00:30'\nPRINT 'after'");
    setTimeout(() => (h.session.cancelled = true), 30);
    const events = await pending;
    expect(Date.now() - started).toBeLessThan(5000);
    expect(infos(events)).toEqual([]);
  });

  it("RETURN ends the batch without an error", async () => {
    const events = await h.run("PRINT 'one'\nRETURN\nPRINT 'two'");
    expect(infos(events).map((m) => m.message)).toEqual(["one"]);
    expect(errors(events)).toEqual([]);
  });

  it("stops between statements once the session is cancelled", async () => {
    h.session.cancelled = true;
    const events = await h.run("PRINT 'a'\nPRINT 'b'");
    expect(infos(events)).toEqual([]);
  });
});
