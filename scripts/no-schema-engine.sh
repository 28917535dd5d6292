#!/bin/sh
echo "schema engine not available (pbx-sms applies migrations with its own migrator: npm run migrate)" >&2
exit 1
