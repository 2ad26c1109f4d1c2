/** The engine's steps for one resource: product code in `src/testing/rehearsal/engine-steps.ts`. */
export * from "../../src/testing/rehearsal/engine-steps";
