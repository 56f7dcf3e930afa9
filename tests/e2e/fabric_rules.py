"""A checker of Fabric Warehouse rules over sqlglot ASTs, and strict SQL parsing helpers.

sqlglot is lenient (it drops a stray comma, accepts unknown type names as user-defined types
and turns anything it cannot parse into an `exp.Command` holding the raw text, with only a
log warning even under ErrorLevel.RAISE), so on its own it validates nothing.  This module
uses it strictly:

- scripts are split into statements with sqlglot's own tokenizer (so `;` inside strings and
  bracketed names does not split), and each statement is parsed alone with
  error_level=RAISE;
- an `exp.Command` anywhere in a tree is a violation, with ONE exception, handled by our own
  parser: Fabric's `ALTER TABLE <t> ADD CONSTRAINT <c> PRIMARY KEY NONCLUSTERED (<cols>) NOT
  ENFORCED` (and the same with UNIQUE).  sqlglot 30.x (dialects `fabric` and `tsql`) does not
  know `NOT ENFORCED` after those constraints and falls back to Command for the whole
  statement (FOREIGN KEY ... NOT ENFORCED it does parse).  Rather than trusting the raw text
  of a Command, `parse_key_constraint` accepts exactly that statement shape with a full-match
  regular expression (bracketed or plain identifiers, no comments inside) and rejects
  everything else;
- the token stream of each CREATE TABLE is compared with the tree (number of column items,
  no empty items such as `a INT,, b INT`), which sqlglot would otherwise silently repair;
- then the rules of Fabric Warehouse (/work/shared/notes/technical.md section 3, from
  learn.microsoft.com fabric data-warehouse data-types.md, tables.md, table-constraints.md,
  identity.md) are checked on the trees, across all the scripts of a deployment in order:

  * column types only from Fabric's list: bit, smallint, int, bigint, decimal/numeric
    (p <= 38, s <= p), float/real, date, time(n)/datetime2(n) with an explicit n <= 6
    (SQL Server's default precision is 7, which Fabric rejects), char(n)/varchar(n) with
    n <= 8000 (or varchar(MAX)), varbinary(n <= 8000 | MAX).  So no nvarchar, nchar, ntext,
    text, image, datetime, smalldatetime, datetimeoffset, money, smallmoney, tinyint, xml,
    json, sql_variant, uniqueidentifier (stored as binary; the SQL endpoint cannot read it);
  * no DEFAULT constraints, no CHECK constraints, no computed columns, no IDENTITY except a
    bare `BIGINT IDENTITY` (no seed/increment), no table options (WITH ..., partitions);
  * no PRIMARY KEY / UNIQUE / FOREIGN KEY inside CREATE TABLE: keys only through ALTER TABLE,
    primary keys as `PRIMARY KEY NONCLUSTERED (...) NOT ENFORCED`, UNIQUE as
    `UNIQUE NONCLUSTERED (...) NOT ENFORCED`, foreign keys `... NOT ENFORCED` with no other
    option; primary-key columns declared NOT NULL (SQL Server's rule), one primary key per
    table, constraint names unique;
  * every foreign key references, at the time it is added, exactly the primary key of a table
    created by the scripts, with a referencing column of the same type;
  * names (schemas, tables, columns, constraints) at most 128 characters, without '/' or
    '\\' and not ending in '.'; no two columns of a table (or two tables of a schema) whose
    names differ only by case; at most 1024 columns per table; tables in `dbo` or in a schema
    the scripts create; each table created once;
  * INSERT ... VALUES into a created table: known columns, tuples of the right width, at most
    1000 rows per VALUES (T-SQL's limit), strings that fit char/varchar(n) counted in UTF-8
    bytes (Fabric's collation is UTF-8), integers in range, bit literals 0/1, no NULL in a
    NOT NULL column.

The statements allowed are CREATE SCHEMA, CREATE TABLE, ALTER TABLE ... ADD CONSTRAINT and
INSERT ... VALUES: anything else is reported, so that a new kind of statement in the
templates gets a rule before it is trusted.

Use:
    check = check_warehouse_scripts([(name, sql), ...])
    assert not check.violations, "\\n".join(map(str, check.violations))
    check.tables[("dbo", "orders")].columns["order_id"].type_sql   # 'BIGINT'
"""

import re
from dataclasses import dataclass, field

import sqlglot
from sqlglot import exp
from sqlglot.dialects.dialect import Dialect, Dialects
from sqlglot.errors import ErrorLevel, ParseError
from sqlglot.tokens import TokenType

# sqlglot >= 26.30 has a `fabric` dialect (a T-SQL subclass); older ones only `tsql`.
WAREHOUSE_DIALECT = "fabric" if "fabric" in {d.value for d in Dialects} else "tsql"
LAKEHOUSE_DIALECT = "spark"

MAX_COLUMNS = 1024
MAX_NAME = 128
MAX_VALUES_ROWS = 1000
MAX_TIME_PRECISION = 6
MAX_CHAR_LENGTH = 8000

DT = exp.DataType.Type
# Fabric Warehouse types -> how many parameters they take.
ALLOWED_TYPES = {
    DT.BIT: "none",
    DT.SMALLINT: "none",
    DT.INT: "none",
    DT.BIGINT: "none",
    DT.DECIMAL: "precision_scale",
    DT.FLOAT: "float",
    DT.DATE: "none",
    DT.TIME: "fraction",
    DT.DATETIME2: "fraction",
    DT.CHAR: "length",
    DT.VARCHAR: "length_or_max",
    DT.VARBINARY: "length_or_max",
}
INTEGER_RANGES = {
    DT.SMALLINT: (-(2 ** 15), 2 ** 15 - 1),
    DT.INT: (-(2 ** 31), 2 ** 31 - 1),
    DT.BIGINT: (-(2 ** 63), 2 ** 63 - 1),
}


@dataclass(frozen=True)
class Violation:
    script: str
    line: int
    rule: str
    message: str

    def __str__(self):
        return "%s:%d: [%s] %s" % (self.script, self.line, self.rule, self.message)


@dataclass(frozen=True)
class Statement:
    text: str   # from the first token to the last, without the ';' and leading comments
    line: int   # 1-based line of the first token in the script
    tokens: tuple


@dataclass
class Column:
    name: str
    type: exp.DataType
    type_sql: str   # as Fabric's T-SQL spells it, e.g. 'VARCHAR(100)', 'DATETIME2(6)'
    nullable: bool
    identity: bool = False


@dataclass
class Table:
    schema: str
    name: str
    script: str
    line: int
    columns: dict = field(default_factory=dict)   # name -> Column, in order
    primary_key: tuple = ()
    unique_keys: list = field(default_factory=list)
    foreign_keys: list = field(default_factory=list)  # (columns, (schema, table), ref columns)
    rows_inserted: int = 0


@dataclass
class WarehouseCheck:
    violations: list = field(default_factory=list)
    schemas: set = field(default_factory=lambda: {"dbo"})
    tables: dict = field(default_factory=dict)          # (schema, name) -> Table
    constraints: dict = field(default_factory=dict)     # (schema, name) -> (script, line)
    statements: int = 0


# ----------------------------------------------------------------------------------------------
# Strict parsing


def split_statements(sql, dialect):
    """The statements of a script, split at top-level ';' tokens (comments dropped).

    Raises sqlglot's TokenError on text that does not tokenize (an unclosed string, say).
    """
    toks = Dialect.get_or_raise(dialect).tokenize(sql)
    out, cur = [], []
    for tok in toks + [None]:
        if tok is None or tok.token_type == TokenType.SEMICOLON:
            if cur:
                out.append(Statement(sql[cur[0].start:cur[-1].end + 1], cur[0].line, tuple(cur)))
            cur = []
        else:
            cur.append(tok)
    return out


def commands_in(tree):
    return [n for n in tree.walk() if isinstance(n, exp.Command)]


def parse_strict(sql, dialect):
    """Parses every statement of `sql` with error_level RAISE; any exp.Command is an error.

    Returns the list of trees; raises ParseError (sqlglot's, or ours for a Command).
    """
    trees = []
    for st in split_statements(sql, dialect):
        tree = sqlglot.parse_one(st.text, read=dialect, error_level=ErrorLevel.RAISE)
        if commands_in(tree):
            raise ParseError("line %d: sqlglot fell back to a raw Command (unsupported syntax): %s"
                             % (st.line, st.text[:120]))
        trees.append(tree)
    return trees


_ID = r"(?:\[[^\[\]\r\n]+\]|[A-Za-z_][A-Za-z0-9_]*)"
_QNAME = r"%s(?:\s*\.\s*%s){0,2}" % (_ID, _ID)
_KEY_CONSTRAINT = re.compile(
    r"ALTER\s+TABLE\s+(?P<table>%s)\s+ADD\s+CONSTRAINT\s+(?P<name>%s)\s+"
    r"(?P<kind>PRIMARY\s+KEY|UNIQUE)\s+NONCLUSTERED\s*\(\s*(?P<cols>%s(?:\s*,\s*%s)*)\s*\)\s+"
    r"NOT\s+ENFORCED" % (_QNAME, _ID, _ID, _ID),
    re.IGNORECASE)


def _unquote(ident):
    return ident[1:-1] if ident.startswith("[") else ident


def _qname_parts(text):
    return [_unquote(p) for p in re.findall(_ID, text)]


@dataclass(frozen=True)
class KeyConstraint:
    table: tuple       # (schema or None, name)  ((db.)schema.name: the db part is dropped)
    name: str
    kind: str          # 'PRIMARY KEY' | 'UNIQUE'
    columns: tuple


def parse_key_constraint(text):
    """Our parser for the one statement shape sqlglot turns into a Command (see above).

    Returns a KeyConstraint, or None when `text` is not exactly
    ALTER TABLE <name> ADD CONSTRAINT <name> {PRIMARY KEY|UNIQUE} NONCLUSTERED (<c>, ...) NOT ENFORCED
    (keywords in any case, plain or [bracketed] identifiers, no comments).
    """
    m = _KEY_CONSTRAINT.fullmatch(text.strip())
    if m is None:
        return None
    parts = _qname_parts(m.group("table"))
    table = (parts[-2] if len(parts) >= 2 else None, parts[-1])
    kind = "UNIQUE" if m.group("kind").upper() == "UNIQUE" else "PRIMARY KEY"
    cols = tuple(_unquote(c.strip()) for c in re.findall(_ID, m.group("cols")))
    return KeyConstraint(table, _unquote(m.group("name")), kind, cols)


# ----------------------------------------------------------------------------------------------
# Warehouse rules


def _name(node):
    if node is None:
        return None
    if isinstance(node, exp.Identifier):
        return node.this
    if isinstance(node, (exp.Column,)):
        return node.name
    if isinstance(node, exp.Ordered):
        return _name(node.this)
    if isinstance(node, str):
        return node
    return node.name


def _table_key(table):
    """(schema, name) of an exp.Table; the schema defaults to dbo."""
    return (table.db or "dbo", table.name)


def _params(dt):
    out = []
    for p in dt.expressions:
        v = p.this if isinstance(p, exp.DataTypeParam) else p
        if isinstance(v, exp.Literal) and not v.is_string:
            out.append(int(v.this))
        else:
            out.append(v.sql().upper())
    return out


def spell_type(dt):
    """A column type as written in T-SQL: 'BIGINT', 'DECIMAL(18,2)', 'VARCHAR(MAX)', 'NVARCHAR(10)'.

    Not dt.sql("fabric"): the fabric generator rewrites types (NVARCHAR -> VARCHAR, MONEY ->
    DECIMAL, DATETIME2(7) -> DATETIME2(6)), which would hide the very mistakes looked for.
    """
    if dt.this in ALLOWED_TYPES:
        p = _params(dt)
        return dt.this.value + ("(%s)" % ",".join(str(x) for x in p) if p else "")
    return dt.sql("tsql")


def type_problem(dt):
    """Why a column type is not a Fabric Warehouse type, or None."""
    spelled = spell_type(dt)
    kind = ALLOWED_TYPES.get(dt.this)
    if kind is None:
        return "type %s is not supported by Fabric Warehouse" % spelled
    p = _params(dt)
    ints = all(isinstance(x, int) for x in p)
    if kind == "none" and p:
        return "type %s takes no parameters" % spelled
    if kind == "precision_scale":
        if len(p) > 2 or not ints or (p and not 1 <= p[0] <= 38) or (len(p) == 2 and not 0 <= p[1] <= p[0]):
            return "type %s: decimal needs 1 <= precision <= 38 and 0 <= scale <= precision" % spelled
    if kind == "float" and (len(p) > 1 or not ints or (p and not 1 <= p[0] <= 53)):
        return "type %s: float(n) needs 1 <= n <= 53" % spelled
    if kind == "fraction":
        if len(p) != 1 or not ints:
            return ("type %s needs an explicit fractional precision (SQL Server's default is 7; "
                    "Fabric allows at most %d)" % (spelled, MAX_TIME_PRECISION))
        if not 0 <= p[0] <= MAX_TIME_PRECISION:
            return "type %s: Fabric allows at most %d fractional digits" % (spelled, MAX_TIME_PRECISION)
    if kind in ("length", "length_or_max"):
        if len(p) != 1:
            return "type %s needs one length" % spelled
        if p[0] == "MAX":
            if kind == "length":
                return "type %s: only varchar and varbinary take MAX" % spelled
        elif not isinstance(p[0], int) or not 1 <= p[0] <= MAX_CHAR_LENGTH:
            return "type %s: length must be 1..%d or MAX" % (spelled, MAX_CHAR_LENGTH)
    return None


def name_problem(name, what):
    if name is None or name == "":
        return "empty %s name" % what
    if len(name) > MAX_NAME:
        return "%s name '%s' is longer than %d characters" % (what, name, MAX_NAME)
    if "/" in name or "\\" in name:
        return "%s name '%s' contains '/' or '\\'" % (what, name)
    if name.endswith("."):
        return "%s name '%s' ends with '.'" % (what, name)
    return None


class _Checker:
    def __init__(self, dialect):
        self.dialect = dialect
        self.out = WarehouseCheck()
        self.script = "?"
        self.line = 0

    def bad(self, rule, message, line=None):
        self.out.violations.append(Violation(self.script, line or self.line, rule, message))

    def node_line(self, node, base):
        """The script line of a node (its first identifier's), else the statement's."""
        for n in [node] + list(node.walk() if hasattr(node, "walk") else []):
            if isinstance(n, exp.Identifier) and n.meta.get("line"):
                return base + n.meta["line"] - 1
        return base

    def check_name(self, name, what, line=None):
        p = name_problem(name, what)
        if p:
            self.bad("name", p, line)

    # -- statements ----------------------------------------------------------------------------

    def statement(self, st):
        self.line = st.line
        self.out.statements += 1
        self.token_checks(st)
        try:
            tree = sqlglot.parse_one(st.text, read=self.dialect, error_level=ErrorLevel.RAISE)
        except ParseError as e:
            self.bad("parse", "sqlglot (%s) cannot parse: %s" % (self.dialect, str(e).splitlines()[0]))
            return
        if isinstance(tree, exp.Command):
            kc = parse_key_constraint(st.text)
            if kc is None:
                self.bad("parse", "sqlglot fell back to a raw Command and the statement is not "
                         "ALTER TABLE .. ADD CONSTRAINT .. {PRIMARY KEY|UNIQUE} NONCLUSTERED (..) "
                         "NOT ENFORCED: %s" % " ".join(st.text.split())[:160])
                return
            self.key_constraint(kc)
            return
        if commands_in(tree):
            self.bad("parse", "sqlglot fell back to a raw Command inside the statement")
            return
        if isinstance(tree, exp.Create) and (tree.args.get("kind") or "").upper() == "SCHEMA":
            self.create_schema(tree)
        elif isinstance(tree, exp.Create) and (tree.args.get("kind") or "").upper() == "TABLE":
            self.create_table(tree, st)
        elif isinstance(tree, exp.Alter) and (tree.args.get("kind") or "").upper() == "TABLE":
            self.alter_table(tree)
        elif isinstance(tree, exp.Insert):
            self.insert(tree)
        else:
            self.bad("statement", "statement kind %s is not one fabric_rules checks "
                     "(CREATE SCHEMA, CREATE TABLE, ALTER TABLE ADD CONSTRAINT, INSERT VALUES)"
                     % type(tree).__name__)

    def token_checks(self, st):
        toks = st.tokens
        for a, b in zip(toks, toks[1:]):
            if a.token_type in (TokenType.COMMA, TokenType.L_PAREN) and b.token_type in (TokenType.COMMA, TokenType.R_PAREN):
                if not (a.token_type == TokenType.L_PAREN and b.token_type == TokenType.R_PAREN):
                    self.bad("syntax", "empty list item ('%s' followed by '%s')" % (a.text, b.text), a.line)

    def create_schema(self, tree):
        name = tree.this.db or tree.this.name
        self.check_name(name, "schema")
        if tree.args.get("exists"):
            self.bad("statement", "CREATE SCHEMA IF NOT EXISTS is not T-SQL")
        if name in self.out.schemas and name != "dbo":
            self.bad("duplicate", "schema '%s' is created twice" % name)
        if name == "dbo":
            self.bad("duplicate", "schema 'dbo' exists already: CREATE SCHEMA [dbo] fails")
        self.out.schemas.add(name)

    def top_level_items(self, st):
        """Number of comma-separated items between the outermost parentheses of CREATE TABLE."""
        depth, items, seen = 0, 0, False
        for tok in st.tokens:
            if tok.token_type == TokenType.L_PAREN:
                depth += 1
                if depth == 1:
                    items, seen = 1, True
                    continue
            elif tok.token_type == TokenType.R_PAREN:
                depth -= 1
                if depth == 0 and seen:
                    return items
            elif tok.token_type == TokenType.COMMA and depth == 1:
                items += 1
        return None

    def create_table(self, tree, st):
        schema_node = tree.this
        if not isinstance(schema_node, exp.Schema):
            self.bad("statement", "CREATE TABLE without a column list (CTAS is not checked)")
            return
        table = schema_node.this
        key = _table_key(table)
        self.check_name(key[0], "schema")
        self.check_name(key[1], "table")
        if tree.args.get("exists"):
            self.bad("statement", "CREATE TABLE IF NOT EXISTS is not T-SQL")
        if table.catalog:
            self.bad("name", "three-part table name '%s' in CREATE TABLE" % table.sql("tsql"))
        if key[0] not in self.out.schemas:
            self.bad("schema", "table %s.%s is in schema '%s', which is neither dbo nor created by an "
                     "earlier script" % (key[0], key[1], key[0]))
        if key in self.out.tables:
            self.bad("duplicate", "table %s.%s is created twice (first in %s:%d)"
                     % (key + (self.out.tables[key].script, self.out.tables[key].line)))
        for other in self.out.tables:
            if other != key and other[0] == key[0] and other[1].lower() == key[1].lower():
                self.bad("name", "tables '%s' and '%s' differ only by case" % (other[1], key[1]))
        if tree.args.get("properties"):
            self.bad("table_options", "table options are not allowed: %s" % tree.args["properties"].sql("tsql"))
        if tree.args.get("expression") is not None:
            self.bad("statement", "CREATE TABLE AS SELECT is not checked")
        items = self.top_level_items(st)
        if items is not None and items != len(schema_node.expressions):
            self.bad("syntax", "the column list has %d items in the text but sqlglot parsed %d"
                     % (items, len(schema_node.expressions)))
        t = Table(key[0], key[1], self.script, self.line)
        lower = {}
        for item in schema_node.expressions:
            line = self.node_line(item, st.line)
            if not isinstance(item, exp.ColumnDef):
                self.bad("inline_constraint", "table-level %s in CREATE TABLE %s.%s: Fabric takes keys only "
                         "as ALTER TABLE ... NOT ENFORCED" % (item.sql("tsql")[:80], key[0], key[1]), line)
                continue
            self.column(t, item, line, lower)
        if len(t.columns) > MAX_COLUMNS:
            self.bad("columns", "table %s.%s has %d columns (Fabric allows %d)"
                     % (key[0], key[1], len(t.columns), MAX_COLUMNS))
        if not t.columns:
            self.bad("columns", "table %s.%s has no columns" % key)
        self.out.tables[key] = t

    def column(self, t, cd, line, lower):
        name = cd.name
        self.check_name(name, "column", line)
        if name in t.columns:
            self.bad("duplicate", "column '%s' appears twice in %s.%s" % (name, t.schema, t.name), line)
        elif name.lower() in lower:
            self.bad("name", "columns '%s' and '%s' of %s.%s differ only by case"
                     % (lower[name.lower()], name, t.schema, t.name), line)
        lower.setdefault(name.lower(), name)
        dt = cd.args.get("kind")
        nullable, identity = True, False
        if dt is None:
            self.bad("computed", "column '%s' has no type (a computed column?): Fabric has no computed "
                     "columns" % name, line)
        for cc in cd.args.get("constraints") or []:
            k = cc.args.get("kind")
            if isinstance(k, exp.NotNullColumnConstraint):
                nullable = bool(k.args.get("allow_null"))
            elif isinstance(k, exp.DefaultColumnConstraint):
                self.bad("default", "column '%s' has DEFAULT %s: Fabric Warehouse has no DEFAULT constraints"
                         % (name, k.this.sql("tsql")), line)
            elif isinstance(k, exp.AutoIncrementColumnConstraint):
                identity = True
                if dt is None or dt.this != DT.BIGINT:
                    self.bad("identity", "column '%s': IDENTITY is allowed only on BIGINT" % name, line)
            elif isinstance(k, exp.GeneratedAsIdentityColumnConstraint):
                self.bad("identity", "column '%s': only a bare BIGINT IDENTITY is allowed (no seed, increment "
                         "or GENERATED ... AS IDENTITY)" % name, line)
            elif isinstance(k, exp.ComputedColumnConstraint):
                self.bad("computed", "column '%s' is computed: Fabric has no computed columns" % name, line)
            elif isinstance(k, (exp.PrimaryKeyColumnConstraint, exp.UniqueColumnConstraint, exp.Reference)):
                self.bad("inline_constraint", "column '%s' has an inline %s: Fabric takes keys only as "
                         "ALTER TABLE ... NOT ENFORCED" % (name, k.sql("tsql") or type(k).__name__), line)
            elif isinstance(k, exp.CheckColumnConstraint):
                self.bad("check", "column '%s' has a CHECK constraint, which Fabric Warehouse does not support"
                         % name, line)
            else:
                self.bad("column_constraint", "column '%s': constraint %s is not one fabric_rules knows"
                         % (name, cc.sql("tsql")), line)
        if dt is not None:
            p = type_problem(dt)
            if p:
                self.bad("type", "column '%s': %s" % (name, p), line)
        t.columns[name] = Column(name, dt, spell_type(dt) if dt is not None else "", nullable, identity)

    def lookup(self, table_node_or_key):
        key = table_node_or_key if isinstance(table_node_or_key, tuple) else _table_key(table_node_or_key)
        t = self.out.tables.get(key)
        if t is None:
            self.bad("unknown_table", "table %s.%s is not created by the scripts (before this one)" % key)
        return t

    def add_constraint_name(self, schema, name):
        self.check_name(name, "constraint")
        if (schema, name) in self.out.constraints:
            s, l = self.out.constraints[(schema, name)]
            self.bad("duplicate", "constraint name '%s' is used twice in schema '%s' (first at %s:%d)"
                     % (name, schema, s, l))
        self.out.constraints[(schema, name)] = (self.script, self.line)

    def key_constraint(self, kc):
        key = (kc.table[0] or "dbo", kc.table[1])
        t = self.lookup(key)
        self.add_constraint_name(key[0], kc.name)
        if t is None:
            return
        self.key_columns(t, kc.columns, kc.kind)
        if kc.kind == "PRIMARY KEY":
            if t.primary_key:
                self.bad("duplicate", "table %s.%s gets a second primary key" % key)
            for c in kc.columns:
                if c in t.columns and t.columns[c].nullable:
                    self.bad("pk_nullable", "primary-key column %s.%s.%s is nullable (declare it NOT NULL)"
                             % (key + (c,)))
            t.primary_key = tuple(kc.columns)
        else:
            t.unique_keys.append(tuple(kc.columns))

    def key_columns(self, t, cols, what):
        if len(set(cols)) != len(cols):
            self.bad("duplicate", "%s of %s.%s repeats a column" % (what, t.schema, t.name))
        for c in cols:
            if c not in t.columns:
                self.bad("unknown_column", "%s column '%s' is not a column of %s.%s" % (what, c, t.schema, t.name))

    def alter_table(self, tree):
        t = self.lookup(tree.this)
        actions = tree.args.get("actions") or []
        if len(actions) != 1 or not isinstance(actions[0], exp.AddConstraint):
            self.bad("statement", "ALTER TABLE other than one ADD CONSTRAINT: %s" % tree.sql("tsql")[:120])
            return
        for con in actions[0].expressions:
            if not isinstance(con, exp.Constraint) or con.this is None:
                self.bad("constraint", "unnamed constraint: name every constraint (ADD CONSTRAINT <name>)")
                continue
            self.add_constraint_name(_table_key(tree.this)[0], _name(con.this))
            kinds = con.expressions
            fks = [k for k in kinds if isinstance(k, exp.ForeignKey)]
            if len(kinds) == 1 and fks:
                self.foreign_key(t, fks[0])
            elif any(isinstance(k, (exp.PrimaryKey, exp.PrimaryKeyColumnConstraint)) for k in kinds):
                self.bad("primary_key", "primary key without NOT ENFORCED (Fabric needs PRIMARY KEY NONCLUSTERED "
                         "(...) NOT ENFORCED): %s" % tree.sql("tsql")[:160])
            elif any(isinstance(k, (exp.UniqueColumnConstraint,)) for k in kinds):
                self.bad("unique", "UNIQUE without NONCLUSTERED ... NOT ENFORCED: %s" % tree.sql("tsql")[:160])
            elif any(isinstance(k, exp.DefaultColumnConstraint) for k in kinds):
                self.bad("default", "DEFAULT constraint: Fabric Warehouse has no DEFAULT constraints")
            else:
                self.bad("constraint", "constraint kind not allowed: %s" % con.sql("tsql")[:160])

    def foreign_key(self, t, fk):
        cols = tuple(_name(c) for c in fk.expressions)
        ref = fk.args.get("reference")
        options = [str(o).upper() for o in (ref.args.get("options") or [])] if ref else []
        if options != ["NOT ENFORCED"]:
            self.bad("foreign_key", "foreign key (%s) must be exactly ... NOT ENFORCED, got options %s"
                     % (", ".join(cols), options or "none"))
        if t is not None:
            self.key_columns(t, cols, "FOREIGN KEY")
        if ref is None or not isinstance(ref.this, exp.Schema):
            self.bad("foreign_key", "foreign key (%s) must name the referenced columns" % ", ".join(cols))
            return
        pkey = _table_key(ref.this.this)
        pcols = tuple(_name(c) for c in ref.this.expressions)
        p = self.out.tables.get(pkey)
        if p is None:
            self.bad("foreign_key", "foreign key (%s) references %s.%s, which is not created by the scripts "
                     "before it" % ((", ".join(cols),) + pkey))
            return
        if not p.primary_key:
            self.bad("foreign_key", "foreign key (%s) references %s.%s, which has no primary key (yet)"
                     % ((", ".join(cols),) + pkey))
        elif pcols != p.primary_key:
            self.bad("foreign_key", "foreign key (%s) references %s.%s(%s), not its primary key (%s)"
                     % (", ".join(cols), pkey[0], pkey[1], ", ".join(pcols), ", ".join(p.primary_key)))
        if len(cols) != len(pcols):
            self.bad("foreign_key", "foreign key has %d columns but references %d" % (len(cols), len(pcols)))
        elif t is not None:
            for c, pc in zip(cols, pcols):
                if c in t.columns and pc in p.columns and t.columns[c].type_sql != p.columns[pc].type_sql:
                    self.bad("foreign_key", "foreign key column %s.%s (%s) and the referenced %s.%s (%s) differ in type"
                             % (t.name, c, t.columns[c].type_sql, p.name, pc, p.columns[pc].type_sql))
        if t is not None:
            t.foreign_keys.append((cols, pkey, pcols))

    def insert(self, tree):
        target = tree.this
        if isinstance(target, exp.Schema):
            table_node, names = target.this, [_name(c) for c in target.expressions]
        else:
            table_node, names = target, None
        t = self.lookup(table_node)
        values = tree.args.get("expression")
        if not isinstance(values, exp.Values):
            self.bad("statement", "INSERT other than INSERT ... VALUES is not checked")
            return
        if t is None:
            return
        if names is None:
            names = list(t.columns)
        for n in names:
            if n not in t.columns:
                self.bad("unknown_column", "INSERT names column '%s', which %s.%s does not have" % (n, t.schema, t.name))
                return
        rows = values.expressions
        if len(rows) > MAX_VALUES_ROWS:
            self.bad("insert", "%d rows in one VALUES list (T-SQL allows %d)" % (len(rows), MAX_VALUES_ROWS))
        for i, row in enumerate(rows, 1):
            vals = row.expressions if isinstance(row, exp.Tuple) else [row]
            if len(vals) != len(names):
                self.bad("insert", "row %d has %d values for %d columns" % (i, len(vals), len(names)))
                continue
            for n, v in zip(names, vals):
                p = self.value_problem(t.columns[n], v)
                if p:
                    self.bad("insert", "row %d, column '%s': %s" % (i, n, p))
        t.rows_inserted += len(rows)

    def value_problem(self, col, v):
        dt = col.type
        if isinstance(v, exp.Null):
            return None if col.nullable else "NULL in a NOT NULL column"
        if isinstance(v, exp.Neg) and isinstance(v.this, exp.Literal) and not v.this.is_string:
            lit, sign = v.this, -1
        elif isinstance(v, exp.Literal):
            lit, sign = v, 1
        else:
            return "value %s is not a literal" % v.sql("tsql")[:60]
        if dt is None:
            return None
        if dt.this in (DT.CHAR, DT.VARCHAR):
            if not lit.is_string:
                return "number %s for a %s column" % (lit.this, col.type_sql)
            size = _params(dt)[0] if _params(dt) else 1
            n = len(lit.this.encode("utf-8"))
            if size != "MAX" and n > size:
                return "string of %d bytes does not fit %s" % (n, col.type_sql)
            return None
        if lit.is_string:
            if dt.this in (DT.DATE, DT.DATETIME2, DT.TIME):
                return None
            return "string %r for a %s column" % (lit.this[:40], col.type_sql)
        if dt.this in INTEGER_RANGES or dt.this == DT.BIT:
            if not re.fullmatch(r"\d+", lit.this):
                return "%s is not an integer" % lit.this
            val = sign * int(lit.this)
            if dt.this == DT.BIT:
                return None if val in (0, 1) else "bit value %d (use 0 or 1)" % val
            lo, hi = INTEGER_RANGES[dt.this]
            return None if lo <= val <= hi else "%d is out of range for %s" % (val, col.type_sql)
        return None


def check_warehouse_scripts(scripts, dialect=WAREHOUSE_DIALECT):
    """Checks `scripts` ([(name, sql text)], in the order they run) as one deployment."""
    ch = _Checker(dialect)
    for name, sql in scripts:
        ch.script, ch.line = name, 1
        try:
            statements = split_statements(sql, dialect)
        except Exception as e:  # sqlglot's TokenError
            ch.bad("parse", "cannot tokenize: %s" % e)
            continue
        if not statements:
            ch.bad("empty", "the script has no statement")
        for st in statements:
            ch.statement(st)
    return ch.out
