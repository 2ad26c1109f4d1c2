/**
 * The authentication and encryption of a mirroring endpoint, parsed from the catalog's
 * descriptions (connection_auth_desc, encryption_algorithm_desc), to compare with what the link
 * needs without string matching at every use.
 */

export type WindowsProtocol = "NTLM" | "KERBEROS" | "NEGOTIATE";
export type EndpointAlgorithm = "AES" | "RC4";

export interface EndpointAuthentication {
  /** Windows authentication protocol, when Windows authentication is allowed. */
  windows: WindowsProtocol | null;
  /** Certificate authentication is allowed. */
  certificate: boolean;
  /** Certificate is tried before Windows ("CERTIFICATE, NEGOTIATE"). */
  certificateFirst: boolean;
  /** The catalog's text, e.g. "NEGOTIATE, CERTIFICATE". */
  description: string;
}

export interface EndpointEncryption {
  /** DISABLED: never; SUPPORTED: when the partner asks; REQUIRED: always. */
  mode: "DISABLED" | "SUPPORTED" | "REQUIRED";
  /** In order of preference. */
  algorithms: EndpointAlgorithm[];
  /** The catalog's text, e.g. "AES" or "NONE, RC4". */
  description: string;
}

const WINDOWS: readonly string[] = ["NTLM", "KERBEROS", "NEGOTIATE"];

function parts(description: string): string[] {
  return description
    .split(",")
    .map((part) => part.trim().toUpperCase())
    .filter((part) => part.length > 0);
}

/** Parses connection_auth_desc ("NTLM", "CERTIFICATE", "NEGOTIATE, CERTIFICATE", "CERTIFICATE, KERBEROS", ...). */
export function parseEndpointAuthentication(description: string | null): EndpointAuthentication {
  const items = parts(description ?? "");
  const windows = items.find((item) => WINDOWS.includes(item)) as WindowsProtocol | undefined;
  const certificateIndex = items.indexOf("CERTIFICATE");
  const windowsIndex = windows ? items.indexOf(windows) : -1;
  return {
    windows: windows ?? null,
    certificate: certificateIndex >= 0,
    certificateFirst: certificateIndex >= 0 && (windowsIndex < 0 || certificateIndex < windowsIndex),
    description: description ?? "",
  };
}

/**
 * Parses encryption_algorithm_desc with is_encryption_enabled: "NONE" is DISABLED, a list that
 * starts with NONE ("NONE, AES") is SUPPORTED, any other list is REQUIRED.
 */
export function parseEndpointEncryption(isEnabled: boolean, description: string | null): EndpointEncryption {
  const items = parts(description ?? "");
  const algorithms = items.filter((item): item is EndpointAlgorithm => item === "AES" || item === "RC4");
  let mode: EndpointEncryption["mode"];
  if (algorithms.length === 0 || !isEnabled) mode = "DISABLED";
  else if (items.includes("NONE")) mode = "SUPPORTED";
  else mode = "REQUIRED";
  return { mode, algorithms: mode === "DISABLED" ? [] : algorithms, description: description ?? "" };
}
