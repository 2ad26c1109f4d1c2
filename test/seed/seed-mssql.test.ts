import { defineRunbookTests } from "./link-runbook";
import { openMssqlRunner } from "./runners";

defineRunbookTests((server) => openMssqlRunner(server));
