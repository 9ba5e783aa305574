// What the schema says of the mutations the editor sends, as data: the input types field by field
// (GraphQL type strings), their enums, the kinds whose delete takes `cascade` and those created
// inside a relationship. tests/test_editing_api.py checks all of it against api/schema.graphql, so
// a field added to an input type, or a mutation that changes its arguments, cannot be missed here.
// INPUT TYPES BEGIN
export const INPUTS = {
  "DepartmentInput": {"key": "String!", "name": "TextInput!", "aliases": "AliasesInput!"},
  "PartyInput": {"key": "String!", "name": "TextInput!", "aliases": "AliasesInput!"},
  "TopicInput": {"key": "String!", "name": "TextInput!", "aliases": "AliasesInput!"},
  "RelationshipInput": {"key": "String!", "departments": "[String!]!", "title": "TextInput!", "summary": "TextInput!",
    "goals": "[GoalInput!]!", "roles": "[RoleInput!]!", "activities": "[ActivityInput!]!", "owner": "OwnerInput"},
  "GoalInput": {"key": "String!", "text": "TextInput!", "topics": "[String!]!", "concerns": "[String!]!"},
  "RoleInput": {"department": "String!", "duties": "[DutyInput!]!"},
  "DutyInput": {"key": "String!", "text": "TextInput!", "topics": "[String!]!", "concerns": "[String!]!"},
  "ActivityInput": {"key": "String!", "text": "TextInput!", "topics": "[String!]!", "concerns": "[String!]!"},
  "FlowInput": {"key": "String!", "kind": "FlowKind!", "provider": "String!", "receiver": "String!",
    "text": "TextInput!", "purpose": "TextInput", "statement": "TextInput", "topics": "[String!]!"},
  "ScenarioInput": {"key": "String!", "title": "TextInput!", "text": "TextInput!", "steps": "[StepInput!]!"},
  "StepInput": {"actor": "String!", "action": "TextInput!", "recipient": "String", "purpose": "TextInput",
    "topics": "[String!]!"},
  "PrincipleInput": {"key": "String!", "title": "TextInput!", "text": "TextInput!"},
  "StatementInput": {"key": "String!", "section": "Section!", "text": "TextInput!", "about": "[String!]!"},
  "OwnerInput": {"department": "String!", "contact": "String"},
  "TextInput": {"vi": "String!", "en": "String!"},
  "AliasesInput": {"vi": "[String!]!", "en": "[String!]!"}
};
export const ENUMS = {"FlowKind": ["NEED", "CONTRIBUTION"], "Section": ["INTRODUCTION", "CONCLUSION"]};
// The kinds whose delete takes `cascade`, and those created inside a relationship (their create
// takes `relationship`): checked against the schema's mutations by the same test.
export const CASCADES = new Set(["Department", "Party", "Topic", "Relationship"]);
export const INSIDE = new Set(["Flow", "Scenario"]);
// INPUT TYPES END
