/** The in-test engine server: product code in `src/testing/rehearsal/engine-server.ts`. */
export * from "../../src/testing/rehearsal/engine-server";
