/**
 * Refusing to send a login in clear text when encryption was asked for.
 *
 * tedious (19.x) with `encrypt: true` starts TLS only when the server's PRELOGIN answer offers it;
 * a server (or a man in the middle) answering "encryption not supported" receives the LOGIN7
 * packet, password included, unencrypted. SQL Server always offers TLS, so such an answer is
 * refused here before the login leaves.
 */

/** The driver code of that refusal (see errors.ts for its advice). */
export const NO_TLS_CODE = "ENOTLS";

interface TediousConnectionLike {
  on(event: "secure", listener: () => void): unknown;
  sendLogin7Packet?: () => void;
}

/** For mssql's `beforeConnect`: make `connection` fail instead of logging in without TLS. */
export function requireTlsBeforeLogin(connection: unknown): void {
  const conn = connection as TediousConnectionLike;
  const original = conn.sendLogin7Packet;
  // The hook is tedious' own (private) step; if a later tedious renames it, nothing is patched.
  if (typeof original !== "function" || typeof conn.on !== "function") return;
  let secured = false;
  conn.on("secure", () => {
    secured = true;
  });
  conn.sendLogin7Packet = function guardedSendLogin7Packet(this: unknown) {
    if (!secured) {
      throw Object.assign(
        new Error(
          "The server did not negotiate encryption although encrypt is true; the login was not sent.",
        ),
        { name: "ConnectionError", code: NO_TLS_CODE },
      );
    }
    return original.call(this);
  };
}
