/**
 * The runbook's T-SQL scripts (test/fixtures/seed), with their placeholders
 * filled and split into batches on `GO` lines, as sqlcmd, SSMS and FreeTDS do.
 */
import * as fs from "node:fs";
import * as path from "node:path";

const SEED_DIR = path.join(__dirname, "..", "fixtures", "seed");

export type Placeholders = Record<string, string>;

/** The script text as written in the runbook, placeholders filled. Unfilled placeholders are an error. */
export function seedScript(file: string, placeholders: Placeholders = {}): string {
  const raw = fs.readFileSync(path.join(SEED_DIR, file), "utf8");
  const filled = raw.replace(/<([A-Za-z_]+)>/g, (whole, key: string) => {
    const value = placeholders[key];
    if (value === undefined) throw new Error(`${file}: no value for placeholder ${whole}`);
    return value;
  });
  return filled;
}

/** Splits a script into batches on lines that hold only `GO`, as client tools do. */
export function splitBatches(script: string): string[] {
  return script
    .split(/^[ \t]*GO[ \t]*$/gim)
    .map((batch) => batch.trim())
    .filter((batch) => batch.length > 0 && !/^(--[^\n]*\n?\s*)*$/.test(batch + "\n"));
}
