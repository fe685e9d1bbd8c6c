"""`column IN (a list)` with the whole list bound as ONE parameter, for statements built once.

An expanding `IN` renders one placeholder per value on every execution: for the ~120 ids of a
generation read that cost more than the read itself, and each new list length is a new SQL
text that SQLite prepares again. Bound as one value the SQL text never changes: SQLite reads a
JSON array with `json_each`, PostgreSQL an array with `= ANY`. No length limit applies either.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from sqlalchemy import BindParameter, Boolean, ColumnExpressionArgument, Integer, String, bindparam
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.types import TypeDecorator, TypeEngine


class ListValue(TypeDecorator[Any]):
    """A list bound as one value: a JSON array on SQLite, an array of `item_type` elsewhere."""

    impl = String
    cache_ok = True

    def __init__(self, item_type: type[TypeEngine[Any]] = Integer) -> None:
        super().__init__()
        self.item_type = item_type

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        """Bind an array on PostgreSQL, the JSON text elsewhere."""
        if dialect.name == "postgresql":
            return dialect.type_descriptor(ARRAY(self.item_type()))
        return dialect.type_descriptor(String())

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        """Turn any iterable of values into what the dialect binds."""
        values = list(value)
        return values if dialect.name == "postgresql" else json.dumps(values)


def list_param(name: str, item_type: type[TypeEngine[Any]] = Integer) -> BindParameter[Any]:
    """Return the bound parameter `name` that takes a whole list of `item_type` values."""
    return bindparam(name, type_=ListValue(item_type))


class in_list(FunctionElement[bool]):  # lower case: a SQL construct, named like func.x
    """`column IN values`, where `values` is one list_param (compiled per dialect below)."""

    name = "in_list"
    type = Boolean()
    inherit_cache = True
    _is_implicitly_boolean = True  # a comparison already: no "= 1" on databases without booleans

    def __init__(self, column: ColumnExpressionArgument[Any], values: BindParameter[Any]) -> None:
        super().__init__(column, values)


def _operands(element: in_list, compiler: SQLCompiler, **kw: Any) -> Iterable[str]:
    return (compiler.process(clause, **kw) for clause in element.clauses)


@compiles(in_list)
def _in_json_array(element: in_list, compiler: SQLCompiler, **kw: Any) -> str:
    column, values = _operands(element, compiler, **kw)
    return f"{column} IN (SELECT value FROM json_each({values}))"


@compiles(in_list, "postgresql")
def _in_array(element: in_list, compiler: SQLCompiler, **kw: Any) -> str:
    column, values = _operands(element, compiler, **kw)
    return f"{column} = ANY({values})"
