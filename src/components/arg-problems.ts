/**
 * What the argument checks share: a value known only later (an Output or a Promise) is skipped,
 * and problems are collected one per field, each with its fix.
 */
import * as pulumi from "@pulumi/pulumi";
import { PULUMI_UNKNOWN_VALUE } from "../sql/connection-args";
import { TsqlInputError } from "../tsql/quote";
import type { Problem } from "./problems";

/** Whether a value is only known later (an Output or a Promise) and cannot be judged now. */
export function isLater(value: unknown): boolean {
  return pulumi.Output.isInstance(value) || value instanceof Promise;
}

/** The value when known now; the Pulumi unknown sentinel otherwise (what the SQL layer skips). */
export function nowOrUnknown<T>(value: pulumi.Input<T> | undefined): T | string | undefined {
  return isLater(value) ? PULUMI_UNKNOWN_VALUE : (value as T | undefined);
}

/** The problems found so far, one per field and fault, each with its fix. */
export class ArgProblems {
  readonly list: Problem[] = [];

  add(field: string, problem: string, fix: string): void {
    this.list.push({ field, problem, fix });
  }

  /** Runs a src/tsql validator and records its TsqlInputError under `field`. */
  tsql(field: string, validate: () => unknown): boolean {
    try {
      validate();
      return true;
    } catch (error) {
      if (!(error instanceof TsqlInputError)) throw error;
      const problem = error.message.replace(/^Invalid [^:]*: /, "").replace(` ${error.fix}`, "");
      this.add(field, problem.replace(/\.$/, ""), error.fix);
      return false;
    }
  }

  oneOf(field: string, value: unknown, allowed: readonly string[]): void {
    if (value === undefined || isLater(value)) return;
    if (typeof value !== "string" || !allowed.includes(value)) {
      this.add(
        field,
        `${JSON.stringify(value)} is not allowed`,
        `Use one of: ${allowed.map((a) => `"${a}"`).join(", ")}.`,
      );
    }
  }
}
