// Overview: how many nodes carry each label and how many relationships of each type there are.
// Ground-truth labels (GT_Fraud, Ring) are counted too, on their own rows.
// Parameters: none.
// :param {}
MATCH (n)
UNWIND labels(n) AS name
RETURN 'node' AS kind, name, count(*) AS count
UNION ALL
MATCH ()-[r]->()
RETURN 'relationship' AS kind, type(r) AS name, count(*) AS count;
