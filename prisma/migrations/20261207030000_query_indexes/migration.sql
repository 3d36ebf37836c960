-- DORA's change failures start from the few `reverts` and `rolls_back` links: a small partial
-- index holding only those, read whole or probed, instead of probing the big (to_key, relation)
-- index once per deploy and per shipped change (src/api/dora.ts).
CREATE INDEX "links_restoring_idx" ON "links"("to_key") INCLUDE ("from_key") WHERE "relation" IN ('reverts', 'rolls_back');
