/**
 * The query benchmark's data (bench/query.ts): SQL that generates a 90-day history of EVENTS events in
 * a private schema, with the graph the pipeline would have written for it.
 */

export const EVENTS = 1_000_000;

/** The generation, in order: [label, SQL]. T0..T_END is a 90-day window ending at the current hour. */
export function generation(T0: string, T_END: string): Array<[string, string]> {
  const t0 = `'${T0}'::timestamptz`;
  const tEnd = `'${T_END}'::timestamptz`;
  return [
    [
      "helpers",
      `
      CREATE FUNCTION pg_temp.h(text) RETURNS int LANGUAGE sql IMMUTABLE AS $$ SELECT ('x' || substr(md5($1), 1,
        7))::bit(28)::int $$;
      CREATE FUNCTION pg_temp.sha(text) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT md5($1) || substr(md5('+' ||
        $1), 1, 8) $$;
      CREATE FUNCTION pg_temp.id(text) RETURNS uuid LANGUAGE sql IMMUTABLE AS $$ SELECT md5($1)::uuid $$;
      -- 500 repositories; activity ~ 1/rank, the 4 busiest equally busy
      CREATE TEMP TABLE _repo AS
        SELECT r, name, greatest(3, round(40000 * share))::int AS p, share FROM (
          SELECT r, format('acme/svc-%s', lpad(r::text, 3, '0')) AS name,
                 (1.0 / (greatest(r, 3) + 1)) / sum(1.0 / (greatest(r, 3) + 1)) OVER () AS share
          FROM generate_series(0, 499) r) s;`,
    ],
    [
      "pull requests, commits",
      `
      -- PR n of a repo is merged (90%) at slot n of main; 0.2% are busy (hundreds of events); 60% name a Linear issue
      CREATE TEMP TABLE _pr AS
        SELECT row_number() OVER (ORDER BY r, n) AS id, r, name, n, h, format('github:pr:%s#%s', name, n) AS key,
               h % 10 <> 0 AS merged, CASE WHEN h % 5 < 3 THEN format('R%s-%s', r, n) END AS issue,
               1 + (h / 10) % 4 AS k, CASE WHEN h % 500 = 1 THEN 300 + h % 300 ELSE 3 + (h / 100) % 10 END AS n_ev,
               t - (1 + h % 72) * interval '1 hour' AS created_at, t AS merged_at
        FROM (SELECT r.*, n, pg_temp.h('pr' || r || '/' || n) AS h, ${t0} + n::float8 / (p + 1) * interval '90 days' AS
          t
              FROM _repo r, generate_series(1, r.p) n) s;
      CREATE INDEX ON _pr (id);
      CREATE INDEX ON _pr (r, n);
      -- main line: slot n is the PR's squash merge (or a direct push), parent slot n-1; j > 0: the PR branch's commits
      CREATE TEMP TABLE _c AS
        SELECT r.r, r.name, slot AS n, 0 AS j, pg_temp.sha('m' || r.r || '/' || slot) AS sha,
               CASE WHEN slot > 0 THEN ARRAY[pg_temp.sha('m' || r.r || '/' || (slot - 1))] ELSE '{}' END AS parents,
               CASE WHEN pr.merged THEN format('Change %s (#%s)', slot, slot) || CASE WHEN pr.h % 2 = 0 AND pr.issue IS
                 NOT NULL THEN E'\n\nFixes ' || pr.issue ELSE '' END
                    ELSE format('chore: bump dependencies (%s)', slot) END AS message,
               ${t0} + slot::float8 / (r.p + 1) * interval '90 days' AS authored_at, pg_temp.id('pm' || r.r || '/' ||
                 slot) AS event_id
        FROM _repo r CROSS JOIN generate_series(0, r.p) s(slot) LEFT JOIN _pr pr ON pr.r = r.r AND pr.n = slot
        UNION ALL
        SELECT pr.r, pr.name, pr.n, j, pg_temp.sha('b' || pr.r || '/' || pr.n || '/' || j),
               ARRAY[CASE WHEN j = 1 THEN pg_temp.sha('m' || pr.r || '/' || (pr.n - 1)) ELSE pg_temp.sha('b' || pr.r ||
                 '/' || pr.n || '/' || (j - 1)) END],
               format('Work on change %s, part %s', pr.n, j), pr.created_at - (pr.k - j + 1) * interval '30 minutes',
                 pg_temp.id('pb' || pr.id)
        FROM _pr pr, generate_series(1, pr.k) j;
      ALTER TABLE _c ADD COLUMN key text;
      UPDATE _c SET key = format('github:commit:%s@%s', name, sha);
      CREATE INDEX ON _c (r, n, j);`,
    ],
    [
      "deploys",
      `
      -- per repo: staging 35%, production 50%, production-eu 15% of ~60,000 deploys; 5% come after a long gap
      -- (a big batch); each deploys the main slot merged by then; 6% fail; ranges run from the previous success
      CREATE TEMP TABLE _dep AS
        SELECT *, row_number() OVER () AS id, format('deploy:generic:d-%s-%s-%s', r, env, j) AS key, pg_temp.sha('m' ||
          r || '/' || n) AS sha,
               format('github:commit:%s@%s', name, pg_temp.sha('m' || r || '/' || n)) AS commit_key,
               CASE WHEN prev_j IS NOT NULL AND status = 'succeeded' THEN format('deploy:generic:d-%s-%s-%s', r, env,
                 prev_j) END AS prev_key
        FROM (SELECT *, max(CASE WHEN status = 'succeeded' THEN j END) OVER w AS prev_j, max(CASE WHEN status =
          'succeeded' THEN n END) OVER w AS prev_n
              FROM (SELECT r, name, env, j, h, CASE WHEN h % 100 < 6 THEN 'failed' ELSE 'succeeded' END AS status,
                           ${t0} + cum / tot * interval '90 days' - (h % 30) * interval '1 minute' AS at,
                           greatest(0, least(p, floor(cum / tot * (p + 1))::int - lag)) AS n
                    FROM (SELECT r.r, r.name, r.p, e.env, e.lag, j, g.h,
                                 sum(CASE WHEN g.h % 20 = 0 THEN e.big ELSE 1 END) OVER (PARTITION BY r.r, e.env ORDER
                                   BY j)::float8 AS cum,
                                 sum(CASE WHEN g.h % 20 = 0 THEN e.big ELSE 1 END) OVER (PARTITION BY r.r,
                                   e.env)::float8 AS tot
                          FROM _repo r
                          CROSS JOIN (VALUES ('staging', 0.35, 10, 0), ('production', 0.5, 80, 1), ('production-eu',
                            0.15, 40, 2)) e(env, share, big, lag)
                          CROSS JOIN LATERAL generate_series(1, greatest(2, round(60000 * r.share * e.share))::int) j
                          CROSS JOIN LATERAL (SELECT pg_temp.h(r.r || e.env || j) AS h) g) s) s
              WINDOW w AS (PARTITION BY r, env ORDER BY j ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)) s;
      CREATE INDEX ON _dep (id);`,
    ],
    [
      "linear issues",
      `
      CREATE TEMP TABLE _issue AS
        SELECT row_number() OVER () AS id, s.*, pg_temp.h(key) AS h FROM (
          SELECT 'linear:issue:' || issue AS key, r, key AS pr_key, merged AND h % 2 = 0 AS closes, created_at -
            interval '1 day' AS created_at
          FROM _pr WHERE issue IS NOT NULL
          UNION ALL
          SELECT format('linear:issue:R%s-%s', g % 500, 100000 + g), g % 500, NULL, false, ${t0} + g / 6000.0::float8 *
            interval '88 days'
          FROM generate_series(1, 6000) g) s;
      CREATE INDEX ON _issue (id);`,
    ],
    [
      "events (staging)",
      `
      CREATE TEMP TABLE _ev (id uuid, platform text, type text, occurred_at timestamptz, subject text, keys text[],
        actor text);
      -- PR activity: opened, synchronize, reviews, comments, closed
      INSERT INTO _ev
        SELECT pg_temp.id('pe' || pr.id || '/' || i), 'github',
               CASE WHEN i = 1 THEN 'github.pull_request.opened' WHEN i = pr.n_ev AND pr.merged THEN
                 'github.pull_request.closed'
                    ELSE (ARRAY['github.pull_request.synchronize', 'github.pull_request_review.submitted',
                      'github.pull_request_review_comment.created',
                                'github.issue_comment.created', 'github.pull_request.labeled'])[1 + (pr.h + i) % 5] END,
               pr.created_at + (i - 1)::float8 / pr.n_ev * (pr.merged_at - pr.created_at), pr.key,
               ARRAY['github:repo:' || pr.name, pr.key, format('github:commit:%s@%s', pr.name, pg_temp.sha('b' || pr.r
                 || '/' || pr.n || '/' || (1 + i % pr.k)))],
               'dev' || (pr.h + i) % 300
        FROM _pr pr, generate_series(1, pr.n_ev) i;
      -- pushes: one per PR branch, one per main slot
      INSERT INTO _ev
        SELECT event_id, 'github', 'github.push', max(authored_at) + interval '2 minutes', 'github:repo:' || name,
               ARRAY['github:repo:' || name] || array_agg(key ORDER BY j), 'dev' || max(r) % 300
        FROM _c GROUP BY event_id, name;
      -- deploys: started, then succeeded or failed
      INSERT INTO _ev
        SELECT pg_temp.id(x || d.key), 'deploy', CASE WHEN x = 's' THEN 'deploy.started' ELSE 'deploy.' || d.status END,
               CASE WHEN x = 's' THEN d.at - interval '5 minutes' ELSE d.at END, d.key, ARRAY['github:repo:' || d.name,
                 d.key, d.commit_key], NULL
        FROM _dep d, (VALUES ('s'), ('f')) v(x);
      -- Linear: create, the PR attachment, comments and updates; 0.25% of issues are busy
      INSERT INTO _ev
        SELECT pg_temp.id('le' || i.id || '/' || k), 'linear',
               CASE WHEN k = 1 THEN 'linear.issue.create' WHEN k = 2 AND i.pr_key IS NOT NULL THEN
                 'linear.attachment.create'
                    WHEN k % 2 = 0 THEN 'linear.comment.create' ELSE 'linear.issue.update' END,
               least(${tEnd}, i.created_at + k * interval '17 minutes'), i.key,
               CASE WHEN k = 2 AND i.pr_key IS NOT NULL THEN ARRAY[i.key, i.pr_key] ELSE ARRAY[i.key] END, 'person' ||
                 (i.h + k) % 80
        FROM _issue i, generate_series(1, CASE WHEN i.h % 400 = 1 THEN 300 + i.h % 300 ELSE 2 + i.h % 6 END) k;`,
    ],
    [
      "slack messages",
      `
      -- the rest, up to ${EVENTS} events: messages in 200 channels, 4 in 5 in a thread; 40% link a PR, 15% name an
        -- issue, 5% a deploy
      CREATE TEMP TABLE _slack AS
        SELECT i, at, key, CASE WHEN i % 5 <> 0 THEN format('slack:message:C%s/%s.%s', (i / 5) % 200, extract(epoch FROM
          root_at)::bigint, lpad((i - i % 5)::text, 7, '0')) END AS root,
               CASE WHEN h % 100 < 40 THEN (SELECT key FROM _pr WHERE id = 1 + (s.h / 100) % (SELECT count(*) FROM _pr))
                    WHEN h % 100 < 55 THEN (SELECT key FROM _issue WHERE id = 1 + (s.h / 100) % (SELECT count(*) FROM
                      _issue))
                    WHEN h % 100 < 60 THEN (SELECT key FROM _dep WHERE id = 1 + (s.h / 100) % (SELECT count(*) FROM
                      _dep)) END AS ref,
               CASE WHEN h % 100 < 40 THEN 'slack-url' WHEN h % 100 < 55 THEN 'slack-identifier' ELSE 'slack-deploy-url'
                 END AS rule
        FROM (SELECT i, pg_temp.h('sm' || i) AS h, at, root_at, format('slack:message:C%s/%s.%s', (i / 5) % 200,
          extract(epoch FROM at)::bigint, lpad(i::text, 7, '0')) AS key
              FROM (SELECT i, ${t0} + i::float8 / n * interval '90 days' AS at, ${t0} + (i - i % 5)::float8 / n *
                interval '90 days' AS root_at, n
                    FROM (SELECT ${EVENTS} - count(*) AS n FROM _ev) c, generate_series(1, (SELECT ${EVENTS} - count(*)
                      FROM _ev)) i) s) s;
      INSERT INTO _ev SELECT pg_temp.id('sm' || i), 'slack', 'slack.message', at, key, array_remove(ARRAY[key, root,
        ref], NULL), 'U' || i % 400 FROM _slack;`,
    ],
    [
      "raw_deliveries, events",
      `
      INSERT INTO raw_deliveries (id, platform, delivery_id, received_at, content_type, headers, body, type, priority)
        SELECT id, platform, id::text, occurred_at, 'application/json', '{}', '{"bench":true}', type, 'normal' FROM _ev;
      INSERT INTO events (id, platform, type, delivery_id, occurred_at, received_at, stored_at, actor, subject, keys,
        priority, payload)
        SELECT id, platform, type, id::text, occurred_at, occurred_at, occurred_at, actor, subject, keys, 'normal',
          jsonb_build_object('type', type)
        FROM _ev ORDER BY occurred_at;`,
    ],
    [
      "commits, pull_requests, deploys",
      `
      INSERT INTO commits (repository, sha, parents, message, authored_at, event_id) SELECT name, sha, parents, message,
        authored_at, event_id FROM _c;
      INSERT INTO pull_requests (key, repository, number, title, head_ref, base_ref, head_sha, merge_commit_sha, merged,
        created_at, merged_at, updated_at, event_id)
        SELECT pr.key, pr.name, pr.n, format('Change %s', pr.n), 'dev/' || coalesce(lower(pr.issue), 'change-' || pr.n)
          || '-work', 'main', head.sha,
               CASE WHEN pr.merged THEN m.sha END, pr.merged, pr.created_at, CASE WHEN pr.merged THEN pr.merged_at END,
                 pr.merged_at, pg_temp.id('pe' || pr.id || '/1')
        FROM _pr pr JOIN _c head ON head.r = pr.r AND head.n = pr.n AND head.j = pr.k JOIN _c m ON m.r = pr.r AND m.n =
          pr.n AND m.j = 0;
      INSERT INTO deploys (key, repository, service, environment, sha, status, url, started_at, finished_at, at,
        status_at, previous_key, range_known, range_frontier, event_ids)
        SELECT key, name, name, env, sha, status, 'https://ci.example.com/' || key, at - interval '5 minutes', at, at,
          at, prev_key, prev_key IS NOT NULL, ARRAY[]::text[],
               ARRAY[pg_temp.id('s' || key), pg_temp.id('f' || key)]
        FROM _dep;`,
    ],
    [
      "entities",
      `
      INSERT INTO entities (key, kind, title, state, url, first_seen_at, last_seen_at)
        SELECT 'github:repo:' || name, 'github.repo', NULL, NULL, NULL, ${t0}, ${tEnd} FROM _repo
        UNION ALL SELECT key, 'github.pr', format('Change %s', n), CASE WHEN merged THEN 'merged' ELSE 'open' END,
          format('https://github.com/%s/pull/%s', name, n), created_at, merged_at FROM _pr
        UNION ALL SELECT key, 'github.commit', split_part(message, E'\n', 1), NULL,
          format('https://github.com/%s/commit/%s', name, sha), authored_at, authored_at FROM _c
        UNION ALL SELECT key, 'linear.issue', 'Issue ' || substr(key, 14), CASE WHEN closes THEN 'Done' ELSE
          'In Progress' END, NULL, created_at, created_at FROM _issue
        UNION ALL SELECT key, 'deploy', name || ' → ' || env, status, 'https://ci.example.com/' || key, at, at FROM _dep
        UNION ALL SELECT key, 'slack.message', 'message ' || i, NULL, NULL, at, at FROM _slack;`,
    ],
    [
      "links",
      `
      INSERT INTO links (from_key, to_key, relation, rule, confidence, evidence, created_at, updated_at)
        SELECT f, t, rel, rule, conf, ARRAY[ev], at, at FROM (
          -- PR contains its branch commits, its head commit and its merge commit
          SELECT pr.key AS f, c.key AS t, 'contains' AS rel, 'pr-branch-push' AS rule, 0.9 AS conf, c.event_id AS ev,
            c.authored_at AS at
            FROM _pr pr JOIN _c c ON c.r = pr.r AND c.n = pr.n AND c.j > 0
          UNION ALL SELECT pr.key, c.key, 'contains', 'pr-head-commit', 1, pg_temp.id('pe' || pr.id || '/1'),
            pr.created_at
            FROM _pr pr JOIN _c c ON c.r = pr.r AND c.n = pr.n AND c.j = pr.k
          UNION ALL SELECT pr.key, c.key, 'contains', 'pr-merge-commit', 1, pg_temp.id('pe' || pr.id || '/' || pr.n_ev),
            pr.merged_at
            FROM _pr pr JOIN _c c ON c.r = pr.r AND c.n = pr.n AND c.j = 0 WHERE pr.merged
          -- PR (and its merge commit) → Linear issue
          UNION ALL SELECT pr_key, key, 'references', 'linear-id-in-branch', 0.9, pg_temp.id('le' || id || '/2'),
            created_at FROM _issue WHERE pr_key IS NOT NULL
          UNION ALL SELECT pr_key, key, 'references', 'linear-attachment', 1, pg_temp.id('le' || id || '/2'), created_at
            FROM _issue WHERE pr_key IS NOT NULL
          UNION ALL SELECT i.pr_key, i.key, 'closes', 'linear-magic-word', 0.95, pg_temp.id('le' || i.id || '/2'),
            i.created_at FROM _issue i WHERE i.closes
          UNION ALL SELECT c.key, i.key, 'closes', 'linear-magic-word', 0.95, c.event_id, c.authored_at
            FROM _issue i JOIN _pr pr ON pr.key = i.pr_key JOIN _c c ON c.r = pr.r AND c.n = pr.n AND c.j = 0 WHERE
              i.closes
          -- 1% of merged PRs revert the one before
          UNION ALL SELECT pr.key, prev.key, 'reverts', 'revert-title', 0.8, pg_temp.id('pe' || pr.id || '/1'),
            pr.created_at
            FROM _pr pr JOIN _pr prev ON prev.r = pr.r AND prev.n = pr.n - 1 WHERE pr.h % 100 = 7 AND pr.merged AND
              prev.merged
          -- deploys: the SHA, then (successful ones) the range since the previous success: main commits, their PRs and
            -- issues
          UNION ALL SELECT key, commit_key, 'deploys', 'deploy-sha', 1, pg_temp.id('s' || key), at FROM _dep
          UNION ALL SELECT d.key, x.t, 'ships', 'deploy-range', 1, pg_temp.id('f' || d.key), d.at
            FROM _dep d CROSS JOIN LATERAL generate_series(coalesce(d.prev_n, d.n - 1) + 1, d.n) s
            JOIN _c c ON c.r = d.r AND c.n = s AND c.j = 0 LEFT JOIN _pr pr ON pr.r = d.r AND pr.n = s AND pr.merged
            CROSS JOIN LATERAL unnest(ARRAY[c.key, pr.key, 'linear:issue:' || pr.issue]) x(t)
            WHERE d.status = 'succeeded' AND x.t IS NOT NULL
          UNION ALL SELECT key, prev_key, 'rolls_back', 'rollback', 0.9, pg_temp.id('f' || key), at FROM _dep WHERE
            prev_key IS NOT NULL AND h % 200 = 50
          -- Slack
          UNION ALL SELECT key, ref, 'discusses', rule, CASE rule WHEN 'slack-url' THEN 0.9 WHEN 'slack-identifier' THEN
            0.7 ELSE 0.8 END, pg_temp.id('sm' || i), at
            FROM _slack WHERE ref IS NOT NULL
          UNION ALL SELECT key, root, 'in_thread', 'slack-thread', 1, pg_temp.id('sm' || i), at FROM _slack WHERE root
            IS NOT NULL) l;`,
    ],
    ["vacuum analyze", `VACUUM (ANALYZE)`],
  ];
}
