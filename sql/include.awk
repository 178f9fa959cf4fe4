# Builds an extension script from its recipe (sql/*.sql.in): a line
# "\ir FILE" (psql's include, relative to the recipe's folder) becomes the
# lines of FILE, unchanged; every other line is copied as it is.  Object
# files include nothing themselves.  Run by the Makefile:
#   awk -f sql/include.awk sql/RECIPE.sql.in > sql/SCRIPT.sql
FNR == 1 {
	dir = FILENAME
	sub(/[^\/]*$/, "", dir)
}
/^\\ir / {
	file = dir $2
	lines = 0
	while ((got = (getline line < file)) > 0) {
		if (line ~ /^\\ir /)
			fail(file ": \\ir in an object file (only a recipe includes)")
		print line
		lines++
	}
	if (got < 0)
		fail("cannot read " file)
	if (lines == 0)
		fail(file " is empty")
	close(file)
	next
}
{ print }

function fail(why) {
	printf "%s:%d: %s\n", FILENAME, FNR, why > "/dev/stderr"
	exit 1
}
