-- A council's loaded comparator group, nearest first (unranked pairs after, by name).
SELECT peer, peer_code, peer_rank, source
FROM peer_groups
WHERE council = $council
ORDER BY peer_rank NULLS LAST, peer
