-- Attempt rows are written once, when the attempt ends (or, for an attempt a crash cut short,
-- when the Message is next claimed), keyed by (message_id, attempt): a retried outcome write
-- finds its row instead of adding a second one. The unique index also serves the lookups by
-- message_id that the old index did.

-- DropIndex
DROP INDEX "message_attempts_message_id_idx";

-- CreateIndex
CREATE UNIQUE INDEX "message_attempts_message_id_attempt_key" ON "message_attempts"("message_id", "attempt");
