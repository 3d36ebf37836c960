-- Views for analysts and BI tools (docs/sql.md). Plain views: always current, no refresh.

-- One row per pull request: when work started, was merged, and first reached each environment.
CREATE VIEW "pr_lifecycle" AS
SELECT
  pr.key,
  pr.repository,
  pr.number,
  pr.title,
  pr.head_ref,
  pr.base_ref,
  pr.merged,
  pr.created_at,
  (SELECT min(c.authored_at) FROM links l
     JOIN commits c ON l.to_key = 'github:commit:' || c.repository || '@' || c.sha
   WHERE l.from_key = pr.key AND l.relation = 'contains') AS first_commit_at,
  pr.merged_at,
  d.environment,
  min(d.finished_at) AS first_deployed_at,
  min(d.finished_at) - LEAST(pr.created_at, (SELECT min(c.authored_at) FROM links l
     JOIN commits c ON l.to_key = 'github:commit:' || c.repository || '@' || c.sha
   WHERE l.from_key = pr.key AND l.relation = 'contains')) AS lead_time
FROM pull_requests pr
LEFT JOIN links s ON s.to_key = pr.key AND s.relation = 'ships'
LEFT JOIN deploys d ON d.key = s.from_key
GROUP BY pr.key, d.environment;

-- One row per thing a deploy shipped (commit, pull request or issue).
CREATE VIEW "deploy_changes" AS
SELECT
  d.key AS deploy_key,
  d.repository,
  d.environment,
  d.sha,
  d.status,
  d.finished_at,
  d.previous_key,
  d.range_known,
  l.to_key AS change_key,
  split_part(l.to_key, ':', 1) || '.' || split_part(l.to_key, ':', 2) AS change_kind,
  l.confidence,
  e.title AS change_title
FROM deploys d
JOIN links l ON l.from_key = d.key AND l.relation = 'ships'
LEFT JOIN entities e ON e.key = l.to_key;

-- Every deploy attempt with whether it failed, was rolled back, or shipped a later-reverted PR.
CREATE VIEW "deploy_outcomes" AS
SELECT
  d.key,
  d.repository,
  d.environment,
  d.sha,
  d.status,
  d.finished_at,
  d.status = 'failed' AS failed,
  EXISTS (SELECT 1 FROM links r WHERE r.relation = 'rolls_back' AND r.to_key = d.key) AS rolled_back,
  EXISTS (
    SELECT 1 FROM links s JOIN links rev ON rev.to_key = s.to_key AND rev.relation = 'reverts'
    WHERE s.from_key = d.key AND s.relation = 'ships'
  ) AS shipped_reverted_change
FROM deploys d;
