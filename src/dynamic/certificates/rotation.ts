/**
 * Which endpoint certificate SQL Server should have after this `up`: the one in use, kept, or a new
 * generation next to it. Pure: the caller reads what SQL Server has (lookupEndpointCertificate) and
 * passes the clock.
 *
 * Generations are named after the base name (`Cert_<server>_endpoint`): the first is the base name
 * itself, so stacks created before rotation existed keep their certificate untouched; each rotation
 * adds `_<YYYYMMDD>` of its expiry day. Old and new coexist while the endpoint is switched, so the
 * link never runs without a certificate both sides trust.
 */
import { TsqlInputError } from "../../tsql";

/** SQL Server's endpoint certificate as found before the run. */
export interface CurrentEndpointCertificate {
  name: string;
  /** ISO timestamp (sys.certificates.expiry_date). */
  expiryDate: string;
}

export interface EndpointCertificatePlanInput {
  /** The first generation's name, e.g. `Cert_SQLHOST01_endpoint`. */
  baseName: string;
  /** `YYYY-MM-DD` the user asked for; wins over everything else. */
  explicitExpiry?: string;
  /** The certificate of this family in use (or present) on SQL Server, or null. */
  current: CurrentEndpointCertificate | null;
  /** Rotate when the current certificate expires within this many days. */
  rotateBeforeDays: number;
  /** Validity of a certificate this plan creates without an explicit expiry. */
  validityYears: number;
  now: Date;
}

export type EndpointCertificateAction =
  /** Nothing on SQL Server yet: the first generation is created. */
  | "create"
  /** The current certificate stays. */
  | "keep"
  /** `certificateExpiry` names another day: a new generation replaces the current one. */
  | "rotate-expiry-changed"
  /** The current certificate expires within the window: a new generation replaces it. */
  | "rotate-window";

export interface EndpointCertificatePlan {
  name: string;
  /** `YYYY-MM-DD`. */
  expiryDate: string;
  /** "" for the first generation, else `YYYYMMDD`: names the Pulumi resources of this generation. */
  generation: string;
  action: EndpointCertificateAction;
  /** The certificate being replaced, when rotating. */
  replaces?: CurrentEndpointCertificate;
  /** The planned certificate itself expires within the window (only possible with an explicit expiry). */
  expiresWithinWindow: boolean;
}

const DAY_MS = 24 * 60 * 60 * 1000;
const WINDOW = /^\s*(\d{1,4})\s*d\s*$/i;

/**
 * Longest window: it must stay well below a new certificate's validity (2 years), or every `up`
 * would find the new certificate within the window and rotate again.
 */
export const MAX_WINDOW_DAYS = 365;

/** Default of `rotateCertificateBefore`. */
export const DEFAULT_ROTATE_BEFORE = "30d";

/**
 * Days of a `rotateCertificateBefore` value: `"<n>d"`, n from 1 to {@link MAX_WINDOW_DAYS}.
 * @throws TsqlInputError naming `field` otherwise
 */
export function parseRotationWindow(value: unknown, field = "rotateCertificateBefore"): number {
  const match = typeof value === "string" ? WINDOW.exec(value) : null;
  const days = match ? Number(match[1]) : NaN;
  if (!match || days < 1 || days > MAX_WINDOW_DAYS) {
    throw new TsqlInputError(
      field,
      `${JSON.stringify(value)} is not a number of days`,
      `Use "<n>d" with n from 1 to ${MAX_WINDOW_DAYS}, e.g. "${DEFAULT_ROTATE_BEFORE}" (the default).`,
    );
  }
  return days;
}

/** `YYYY-MM-DD` of a date or ISO timestamp (UTC). */
export function isoDay(value: Date | string): string {
  return (typeof value === "string" ? new Date(value) : value).toISOString().slice(0, 10);
}

/** `YYYY-MM-DD` of the day `years` after `now` (UTC). */
export function dayAfterYears(now: Date, years: number): string {
  return isoDay(new Date(Date.UTC(now.getUTCFullYear() + years, now.getUTCMonth(), now.getUTCDate())));
}

/** Whether `expiry` falls within `days` of `now` (or has passed). */
export function expiresWithin(expiry: Date | string, days: number, now: Date): boolean {
  return new Date(expiry).getTime() - now.getTime() <= days * DAY_MS;
}

/** True when `name` is the base name or one of its rotated generations. */
export function isGenerationOf(baseName: string, name: string): boolean {
  const lower = name.toLowerCase();
  const base = baseName.toLowerCase();
  return lower === base || (lower.startsWith(`${base}_`) && /^\d{8}$/.test(lower.slice(base.length + 1)));
}

/** The name of the generation expiring on `expiryDay` (`YYYY-MM-DD`). */
export function generationName(baseName: string, expiryDay: string): string {
  return `${baseName}_${expiryDay.replace(/-/g, "")}`;
}

export function planEndpointCertificate(input: EndpointCertificatePlanInput): EndpointCertificatePlan {
  const { baseName, explicitExpiry, current, rotateBeforeDays, now } = input;
  const fresh = dayAfterYears(now, input.validityYears);
  const withinWindow = (day: string) => expiresWithin(`${day}T00:00:00Z`, rotateBeforeDays, now);
  if (!current) {
    const expiryDate = explicitExpiry ?? fresh;
    return {
      name: baseName,
      expiryDate,
      generation: "",
      action: "create",
      expiresWithinWindow: withinWindow(expiryDate),
    };
  }
  const currentDay = isoDay(current.expiryDate);
  const keep = (): EndpointCertificatePlan => ({
    name: current.name,
    expiryDate: currentDay,
    generation: generationOf(baseName, current.name),
    action: "keep",
    expiresWithinWindow: withinWindow(currentDay),
  });
  const rotate = (expiryDate: string, action: EndpointCertificateAction): EndpointCertificatePlan => {
    const name = generationName(baseName, expiryDate);
    return {
      name,
      expiryDate,
      generation: generationOf(baseName, name),
      action,
      replaces: current,
      expiresWithinWindow: withinWindow(expiryDate),
    };
  };
  if (explicitExpiry !== undefined) {
    return explicitExpiry === currentDay ? keep() : rotate(explicitExpiry, "rotate-expiry-changed");
  }
  return withinWindow(currentDay) ? rotate(fresh, "rotate-window") : keep();
}

function generationOf(baseName: string, name: string): string {
  return name.toLowerCase() === baseName.toLowerCase() ? "" : name.slice(baseName.length + 1);
}

/**
 * The warning `up` and preview print for a certificate that expires within the window, or
 * undefined. `side` names whose certificate it is.
 */
export function expiryWarning(
  side: "sqlServer" | "managedInstance",
  name: string,
  expiry: string,
  rotateBeforeDays: number,
  now: Date,
): string | undefined {
  if (!expiresWithin(expiry, rotateBeforeDays, now)) return undefined;
  const day = isoDay(expiry);
  if (side === "sqlServer") {
    return (
      `SQL Server's endpoint certificate [${name}] expires on ${day}, within rotateCertificateBefore ` +
      `(${rotateBeforeDays} days); the link fails once it expires. Set certificateExpiry to a later day, ` +
      `or leave it out to rotate automatically, and run \`pulumi up\`.`
    );
  }
  return (
    `The managed instance's endpoint certificate [${name}] expires on ${day}, within ` +
    `rotateCertificateBefore (${rotateBeforeDays} days). Azure renews it; once it has, run ` +
    "`pulumi up --refresh` so SQL Server trusts the new one, or the link fails when the old one expires."
  );
}
