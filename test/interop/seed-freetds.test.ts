import { defineRunbookTests } from "../seed/link-runbook";
import { openFreeTdsRunner } from "../seed/runners";

defineRunbookTests(async (server) => openFreeTdsRunner(server));
