/** Errors of the dynamic-provider host: product code in `src/testing/rehearsal/host-error.ts`. */
export * from "../../src/testing/rehearsal/host-error";
