/** Property values in wire form: product code in `src/testing/rehearsal/wire.ts`. */
export * from "../../src/testing/rehearsal/wire";
