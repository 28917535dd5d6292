-- Issue 12: rejected events become readable (admin API, CLI) and both rejected events and old
-- messages' personal data expire (REJECTED_EVENT_RETENTION_DAYS, MESSAGE_RETENTION_DAYS).

-- The tenant a rejected payload named, when it had a parseable one (no foreign key: an
-- unknown tenant is one of the reasons an event is rejected).
ALTER TABLE "rejected_events" ADD COLUMN "tenant_id" INTEGER;

-- Listing newest first (all tenants, or one) and deleting the oldest.
CREATE INDEX "rejected_events_received_at_id_idx" ON "rejected_events"("received_at" DESC, "id" DESC);
CREATE INDEX "rejected_events_tenant_id_received_at_id_idx" ON "rejected_events"("tenant_id", "received_at" DESC, "id" DESC);

-- Message retention erases the body and numbers of terminal messages (body becomes ''): this
-- index holds only the terminal rows not yet erased, so each housekeeping pass finds the next
-- batch without scanning the rows it erased before. Not expressible in schema.prisma.
CREATE INDEX "messages_retention_pending_idx" ON "messages"("updated_at") WHERE "body" <> '' AND "status" IN ('sent', 'failed', 'skipped');
