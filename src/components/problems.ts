import * as pulumi from "@pulumi/pulumi";

/**
 * A problem found before any change: which argument (or fact) is at fault, what is wrong and how
 * to fix it. Argument validation and preflight both report lists of these, thrown as one error.
 */

export interface Problem {
  /** The argument at fault (`sqlServer.host`, `databases[1]`) or the checked fact (`sqlServer.version`). */
  field: string;
  /** What is wrong. */
  problem: string;
  /** What to do about it. */
  fix: string;
}

/** One line per problem: `<field>: <problem>. <fix>`. */
export function formatProblems(problems: readonly Problem[]): string {
  return problems.map((p) => `  - ${p.field}: ${p.problem}. ${p.fix}`).join("\n");
}

/**
 * Invalid MiLink arguments, all of them listed; thrown before any resource is registered. A
 * RunError: Pulumi shows its message without a stack trace, once.
 */
export class MiLinkArgsError extends pulumi.RunError {
  readonly problems: readonly Problem[];

  constructor(component: string, problems: readonly Problem[]) {
    super(`Invalid arguments for MiLink "${component}" (${problems.length}):\n${formatProblems(problems)}`);
    this.name = "MiLinkArgsError";
    this.problems = problems;
  }
}

/** Failed prerequisite checks, all of them listed; no change was made. A RunError, shown once without a stack. */
export class MiLinkPreflightError extends pulumi.RunError {
  readonly problems: readonly Problem[];

  constructor(component: string, problems: readonly Problem[]) {
    super(
      `MiLink "${component}": ${problems.length} prerequisite check(s) failed, nothing was changed:\n` +
        `${formatProblems(problems)}\n` +
        "(Set preflight: false to skip these checks at your own risk.)",
    );
    this.name = "MiLinkPreflightError";
    this.problems = problems;
  }
}
