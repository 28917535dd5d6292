-- An operator retry of a failed message starts a new round of attempts with a fresh
-- SEND_MAX_ATTEMPTS budget. Attempts keep numbering on (the unique (message_id, attempt) stays);
-- each retry appends the attempt count it began at, so the worker counts the current round's
-- attempts and a trace can tell the rounds apart.

-- AlterTable
ALTER TABLE "messages" ADD COLUMN "round_bases" INTEGER[] NOT NULL DEFAULT ARRAY[]::INTEGER[];
