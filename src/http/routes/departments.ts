/** Departments: /api/v1/departments */
import { upsertDepartment, listDepartments } from '../../services/registry.ts';
import { defineOperation, STAFF } from '../operation.ts';
import { DepartmentBody, DepartmentList, DepartmentView } from '../schemas.ts';

const tag = 'departments';

export const departmentOperations = [
  defineOperation({
    method: 'get',
    path: '/api/v1/departments',
    operationId: 'listDepartments',
    access: STAFF,
    tag,
    summary: '列出部门',
    responses: { 200: { description: '全部部门，按代码排序', schema: DepartmentList } },
    async handle({ db }) {
      return { body: { items: await listDepartments(db) } };
    },
  }),
  defineOperation({
    method: 'post',
    path: '/api/v1/departments',
    operationId: 'upsertDepartment',
    access: ['admin'],
    tag,
    summary: '新增部门，或按代码修改部门名称',
    body: DepartmentBody,
    responses: {
      201: { description: '已新增', schema: DepartmentView },
      200: { description: '已存在：名称已更新或本就相同', schema: DepartmentView },
    },
    async handle({ db, body, actor }) {
      const outcome = await upsertDepartment(db, body, actor);
      const department = (await listDepartments(db)).find((d) => d.code === body.code)!;
      return { status: outcome === 'created' ? 201 : 200, body: department };
    },
  }),
];

