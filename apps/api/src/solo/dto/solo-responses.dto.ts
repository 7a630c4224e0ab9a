import { ApiProperty } from '@nestjs/swagger';

/** `GET /solo/add`. */
export class AddPublishedDto {
  @ApiProperty({ example: 'celeriac : a=45, b=23 Published to the queue' })
  message: string;

  @ApiProperty({ example: '265caae7-9b57-43bf-ba0c-01eb3ae21630' })
  task_id: string;
}

/** `GET /solo/chain`. */
export class ChainPublishedDto {
  @ApiProperty({ example: 'Chain task result' })
  message: string;

  @ApiProperty({
    description: "The chain's last task id",
    example: 'f1f1eb5a-6649-4b95-ae6e-8f6a50c5c690',
  })
  task_id: string;

  @ApiProperty({ example: 200 })
  status_code: number;
}

/** `GET /solo/group`. */
export class GroupPublishedDto {
  @ApiProperty({ example: 'Group task submitted : a = 20, b = 76' })
  message: string;

  @ApiProperty({ example: '7ced8d75-5b22-4cfd-9ff7-ea29000839af' })
  group_id: string;

  @ApiProperty({
    type: [String],
    example: [
      'cd7b86a6-6d9a-4b3e-a769-d56b13d6df5d',
      'd88ef242-28af-491a-8e13-a017721afb5b',
    ],
  })
  individual_tasks: string[];

  @ApiProperty({
    example: '/result/group/7ced8d75-5b22-4cfd-9ff7-ea29000839af',
  })
  check_result_url: string;
}
