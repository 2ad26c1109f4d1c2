import * as fs from "node:fs";
import { testScratchDir } from "./scratch";

/**
 * Runs once before the suites: the package must resolve by its own name (see scripts/link-self.js), and
 * the run's scratch folder (./scratch) must exist. Returns the teardown, which removes that folder.
 */
export default function setup(): () => void {
  require("../../scripts/link-self.js").linkSelf();
  const scratch = testScratchDir();
  fs.mkdirSync(scratch, { recursive: true });
  return () => fs.rmSync(scratch, { recursive: true, force: true });
}
