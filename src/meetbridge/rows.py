"""Model instances from SQL written once, for the few reads every API request makes.

Building a query with the ORM costs more CPU than running it: finding the caller by token and
reading the people of an availability question took about 0.5 ms each to compile, on every
request. Those reads write their SQL from the models' own metadata, once, and turn rows into
instances the way the ORM does: the backend's and the field's converters, then `Model.from_db`.
Use the ORM everywhere else.
"""

from __future__ import annotations

import functools
from functools import cached_property

import orjson
from django.db import connection
from django.db.models import JSONField, Model
from django.db.models.base import ModelState


class Columns:
    """The concrete columns of `model` under a table alias, and instances from rows holding them.

    With `only`, just those fields are read (the primary key always): the others are deferred,
    as `QuerySet.only` leaves them, and read from the database if ever used.
    """

    def __init__(self, model: type[Model], alias: str, only: tuple[str, ...] = ()) -> None:
        self.model = model
        self.alias = alias
        self.only = only

    @cached_property
    def fields(self) -> list:
        meta = self.model._meta  # read once the app registry is ready
        if not self.only:
            return list(meta.concrete_fields)
        wanted = {meta.pk.name, *self.only}
        return [field for field in meta.concrete_fields if field.name in wanted]

    @cached_property
    def attnames(self) -> list[str]:
        return [field.attname for field in self.fields]

    @cached_property
    def pk_index(self) -> int:
        return self.fields.index(self.model._meta.pk)

    def __len__(self) -> int:
        return len(self.fields)

    def column(self, name: str) -> str:
        """`alias.column` of the field called `name`, e.g. `p."tenant_id"` for `tenant`."""
        return f"{self.alias}.{quote(self.model._meta.get_field(name).column)}"

    @property
    def table(self) -> str:
        return f"{quote(self.model._meta.db_table)} {self.alias}"

    @cached_property
    def select(self) -> str:
        return ", ".join(f"{self.alias}.{quote(field.column)}" for field in self.fields)

    @cached_property
    def _converters(self) -> list[tuple[int, list, object]]:
        found = []
        for index, field in enumerate(self.fields):
            column = field.get_col(self.alias)
            converters = connection.ops.get_db_converters(column)
            if isinstance(field, JSONField) and field.decoder is None:
                converters.append(_json_from_db)
            else:
                converters += column.get_db_converters(connection)
            if converters:
                found.append((index, converters, column))
        return found

    def build(self, row, db, offset: int = 0) -> Model | None:
        """The instance held in `row[offset:offset + len(self)]`, as read through `db` (the
        connection itself, e.g. `cursor.db`: not the per-thread proxy, which is slow to ask
        once per row); None for a left join's miss."""
        values = list(row[offset : offset + len(self.fields)])
        if values[self.pk_index] is None:  # a left join found no row on this side
            return None
        for index, converters, column in self._converters:
            value = values[index]
            for convert in converters:
                value = convert(value, column, db)
            values[index] = value
        # What `Model.from_db` makes, without `Model.__init__` (most of the cost of a row):
        # the values straight into the instance's attributes, a field left out being deferred
        # exactly as Django defers one, by its absence. No model read here has init signals.
        instance = self.model.__new__(self.model)
        instance.__dict__.update(zip(self.attnames, values, strict=True))
        instance._state = ModelState()
        instance._state.adding = False
        instance._state.db = db.alias
        return instance


def _json_from_db(value, expression, connection):
    """`JSONField.from_db_value` for a plain column, parsed by orjson in a fifth of the time."""
    if value is None:
        return None
    try:
        return orjson.loads(value)
    except orjson.JSONDecodeError:
        return value  # as Django hands back text that is not JSON


def insert(objs: list[Model]) -> None:
    """Saves new instances of one model with an automatic primary key, in one INSERT.

    What `bulk_create` does, without building the statement through the ORM each time and
    without reading the new keys back: for the audit entries every request writes.
    """
    model = type(objs[0])
    fields = _saved_fields(model)
    with connection.cursor() as cursor:
        db = cursor.db  # the connection itself: the per-thread proxy is slow to ask per value
        values = [
            field.get_db_prep_save(field.pre_save(obj, add=True), db)
            for obj in objs
            for field in fields
        ]
        cursor.execute(_insert_sql(model, len(objs)), values)
    for obj in objs:
        obj._state.adding = False


@functools.cache
def _saved_fields(model: type[Model]) -> tuple:
    return tuple(field for field in model._meta.concrete_fields if not field.primary_key)


@functools.lru_cache(maxsize=64)
def _insert_sql(model: type[Model], count: int) -> str:
    fields = _saved_fields(model)
    row = f"({placeholders(len(fields))})"
    return (
        f"INSERT INTO {quote(model._meta.db_table)} "  # noqa: S608 - names from the model
        f"({', '.join(quote(field.column) for field in fields)}) "
        f"VALUES {', '.join([row] * count)}"
    )


def quote(name: str) -> str:
    return connection.ops.quote_name(name)


def placeholders(count: int) -> str:
    return ", ".join(["%s"] * count)
