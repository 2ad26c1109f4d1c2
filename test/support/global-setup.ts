/** Runs once before the suites: the package must resolve by its own name (see scripts/link-self.js). */
export default function setup(): void {
  require("../../scripts/link-self.js").linkSelf();
}
