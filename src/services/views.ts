/** API shapes (camelCase, parsed JSON) of stored rows. */
import type { ObjectRow } from '../db/repositories/objects.ts';
import type { InspectorRow } from '../db/repositories/inspectors.ts';
import type { DepartmentRow, MatterRow } from '../db/repositories/reference.ts';

export function objectView(r: ObjectRow) {
  return {
    uscc: r.uscc,
    name: r.name,
    entityType: r.entity_type,
    industryCode: r.industry_code,
    street: r.street,
    address: r.address,
    registeredOn: r.registered_on,
    legalRepresentative: r.legal_representative,
    registrationStatus: r.registration_status,
    creditGrade: r.credit_grade,
    gradedOn: r.graded_on,
    sectorGrade: r.sector_grade,
    sectorGradedOn: r.sector_graded_on,
    tags: r.tags,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}
export type ObjectView = ReturnType<typeof objectView>;

export function inspectorView(r: InspectorRow) {
  return {
    certificateNo: r.certificate_no,
    name: r.name,
    departmentCode: r.department_code,
    validFrom: r.valid_from,
    validTo: r.valid_to,
    qualifications: r.qualifications,
    status: r.status,
    kind: r.kind,
    yearlyCapacity: r.yearly_capacity,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}
export type InspectorView = ReturnType<typeof inspectorView>;

export function departmentView(r: DepartmentRow) {
  return { code: r.code, name: r.name };
}

export function matterView(r: MatterRow) {
  return {
    code: r.code,
    departmentCode: r.department_code,
    name: r.name,
    legalBasis: r.legal_basis,
    importance: r.importance,
    ratioCap: r.ratio_cap,
    entityTypes: r.entity_types,
    method: r.method,
  };
}
